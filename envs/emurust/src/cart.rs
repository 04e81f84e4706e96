//! Cartridges: ROM only, MBC1 (with the mode-1 bank-0 mapping), MBC3 (no RTC) and MBC5, each
//! with 16 RAM banks allocated as PyBoy does, whatever the header says.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    RomOnly,
    Mbc1,
    Mbc3,
    Mbc5,
}

#[derive(Clone)]
pub struct Cart {
    pub kind: Kind,
    pub rom: Vec<u8>,
    pub rom_banks: usize,
    pub ram_count: usize,
    pub ram: Vec<u8>,
    pub carttype: u8,
    pub rombank_selected: usize,
    pub rombank_selected_low: usize,
    pub rambank_selected: usize,
    pub rambank_enabled: bool,
    pub memorymodel: u8,
    pub bsr1: u8,
    pub bsr2: u8,
    pub multicart: bool,
    /// Test-only deliberate bugs (mutation testing); 0 = none.
    pub mutant: u32,
}

pub const MUT_MBC1_BANK0: u32 = 1 << 0;
pub const MUT_MBC5_RAM_ENABLE: u32 = 1 << 1;

pub fn ram_count_for(code: u8) -> usize {
    match code {
        0x03 => 4,
        0x04 => 16,
        0x05 => 8,
        _ => 1,
    }
}

impl Cart {
    pub fn new(rom: Vec<u8>) -> Result<Cart, String> {
        if rom.len() < 0x8000 || rom.len() % 0x4000 != 0 {
            return Err(format!("ROM size {} is not a multiple of 16 KiB", rom.len()));
        }
        let mut x: u8 = 0;
        for &b in &rom[0x134..0x14D] {
            x = x.wrapping_sub(b).wrapping_sub(1);
        }
        if rom[0x14D] != x {
            return Err("Cartridge header checksum mismatch!".into());
        }
        let carttype = rom[0x147];
        let (kind, sram) = match carttype {
            0x00 => (Kind::RomOnly, false),
            0x08 | 0x09 => (Kind::RomOnly, true),
            0x01 => (Kind::Mbc1, false),
            0x02 | 0x03 => (Kind::Mbc1, true),
            0x11 => (Kind::Mbc3, false),
            0x12 | 0x13 => (Kind::Mbc3, true),
            0x19 | 0x1C => (Kind::Mbc5, false),
            0x1A | 0x1B | 0x1D | 0x1E => (Kind::Mbc5, true),
            t => return Err(format!("cartridge type {t:#04x} not supported by EmuRust")),
        };
        let rom_banks = rom.len() / 0x4000;
        let ram_count = ram_count_for(rom[0x149]);
        let multicart = kind == Kind::Mbc1
            && rom_banks == 64
            && (1..rom_banks).all(|b| (0x104..0x134).all(|a| rom[b * 0x4000 + a] == rom[a]));
        Ok(Cart {
            kind,
            rom,
            rom_banks,
            ram_count,
            ram: vec![0; 16 * 0x2000],
            carttype,
            rombank_selected: 1,
            rombank_selected_low: 0,
            rambank_selected: 0,
            rambank_enabled: kind == Kind::RomOnly && sram,
            memorymodel: 0,
            bsr1: 1,
            bsr2: 0,
            multicart,
            mutant: 0,
        })
    }

    #[inline]
    pub fn read_rom(&self, addr: usize) -> u8 {
        if addr < 0x4000 {
            self.rom[self.rombank_selected_low * 0x4000 + addr]
        } else {
            self.rom[self.rombank_selected * 0x4000 + addr - 0x4000]
        }
    }

    pub fn read_ram(&mut self, addr: usize) -> u8 {
        if !self.rambank_enabled {
            return 0xFF;
        }
        if self.kind == Kind::Mbc1 {
            self.rambank_selected = if self.memorymodel == 1 { self.bsr2 as usize % self.ram_count } else { 0 };
        }
        self.ram[self.rambank_selected * 0x2000 + addr - 0xA000]
    }

    pub fn write(&mut self, addr: usize, v: u8) {
        match self.kind {
            Kind::RomOnly => {
                if (0x2000..0x4000).contains(&addr) {
                    let v = if v == 0 { 1 } else { v };
                    self.rombank_selected = (v & 1) as usize;
                } else if (0xA000..0xC000).contains(&addr) {
                    self.ram[self.rambank_selected * 0x2000 + addr - 0xA000] = v;
                }
            }
            Kind::Mbc1 => self.write_mbc1(addr, v),
            Kind::Mbc3 => {
                if addr < 0x2000 {
                    self.rambank_enabled = v & 0x0F == 0x0A;
                } else if addr < 0x4000 {
                    let mut v = v & 0x7F;
                    if v == 0 {
                        v = 1;
                    }
                    self.rombank_selected = v as usize % self.rom_banks;
                } else if addr < 0x6000 {
                    self.rambank_selected = if (0x08..=0x0C).contains(&v) { v as usize } else { v as usize % self.ram_count };
                } else if (0xA000..0xC000).contains(&addr) && self.rambank_enabled && self.rambank_selected <= 3 {
                    self.ram[self.rambank_selected * 0x2000 + addr - 0xA000] = v;
                }
            }
            Kind::Mbc5 => {
                if addr < 0x2000 {
                    self.rambank_enabled =
                        if self.mutant & MUT_MBC5_RAM_ENABLE != 0 { v & 0x0F == 0x0A } else { v == 0x0A };
                } else if addr < 0x3000 {
                    self.rombank_selected = ((self.rombank_selected & 0x100) | v as usize) % self.rom_banks;
                } else if addr < 0x4000 {
                    let hi = ((v & 1) as usize) << 8;
                    self.rombank_selected = (hi | (self.rombank_selected & 0xFF)) % self.rom_banks;
                } else if addr < 0x6000 {
                    self.rambank_selected = (v & 0xF) as usize % self.ram_count;
                } else if (0xA000..0xC000).contains(&addr) && self.rambank_enabled {
                    self.ram[self.rambank_selected * 0x2000 + addr - 0xA000] = v;
                }
            }
        }
    }

    fn write_mbc1(&mut self, addr: usize, v: u8) {
        if addr < 0x2000 {
            self.rambank_enabled = v & 0x0F == 0x0A;
        } else if addr < 0x4000 {
            let mut v = v & 0x1F;
            if v == 0 && self.mutant & MUT_MBC1_BANK0 == 0 {
                v = 1;
            }
            self.bsr1 = v;
        } else if addr < 0x6000 {
            self.bsr2 = v & 3;
        } else if addr < 0x8000 {
            self.memorymodel = v & 1;
        } else if (0xA000..0xC000).contains(&addr) && self.rambank_enabled {
            self.rambank_selected = if self.memorymodel == 1 { self.bsr2 as usize } else { 0 };
            let bank = self.rambank_selected % self.ram_count;
            self.ram[bank * 0x2000 + addr - 0xA000] = v;
        }
        if self.memorymodel == 1 {
            let shift = if self.multicart { 4 } else { 5 };
            self.rombank_selected_low = ((self.bsr2 as usize) << shift) % self.rom_banks;
        } else {
            self.rombank_selected_low = 0;
        }
        if self.multicart {
            let mut b = ((self.bsr2 as usize) << 4) | (self.bsr1 as usize & 0x0F);
            if self.bsr1 & 0x0F == 0 && self.bsr1 & 0x10 == 0 {
                b |= 1;
            }
            self.rombank_selected = b % self.rom_banks;
        } else {
            self.rombank_selected = (((self.bsr2 as usize) << 5) | self.bsr1 as usize) % self.rom_banks;
        }
    }
}
