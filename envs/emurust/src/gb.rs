//! The machine: SM83 CPU, memory map, IO, OAM DMA, joypad, serial stub and the coordinator loop,
//! scheduled like PyBoy 2.8.1 (DMG, sound not emulated): the CPU runs to the nearest timer/LCD
//! event, interrupts are checked at the start of each CPU slice, IO writes end a slice.

use crate::cart::Cart;
use crate::lcd::Lcd;
use crate::timer::{Timer, MAX_CYCLES};

pub const INTR_TIMER: u8 = 4;
pub const INTR_SERIAL: u8 = 8;
pub const INTR_JOYPAD: u8 = 16;

pub const MUT_FLAG_H_ADD: u32 = 1 << 16;
pub const MUT_FLAG_C_SUB: u32 = 1 << 17;
pub const MUT_CYCLES_CALL: u32 = 1 << 18;
pub const MUT_CYCLES_JR: u32 = 1 << 19;
pub const MUT_INT_PRIORITY: u32 = 1 << 20;
pub const MUT_EI_IMMEDIATE: u32 = 1 << 21;
pub const MUT_DAA: u32 = 1 << 22;
pub const MUT_TIMER_RELOAD: u32 = 1 << 23;
pub const MUT_DMA_SOURCE: u32 = 1 << 24;
pub const MUT_JOYPAD_IRQ: u32 = 1 << 25;
pub const MUT_SBC_CARRY: u32 = 1 << 26;
pub const MUT_RLA_ZERO: u32 = 1 << 27;
pub const MUT_HALT_SKIP: u32 = 1 << 28;
pub const MUT_POP_AF_MASK: u32 = 1 << 29;
pub const MUT_DIV_RESET: u32 = 1 << 30;
pub const MUT_INC16_FLAGS: u32 = 1 << 31;

const CYCLES_8192HZ: u64 = 512;

#[derive(Clone, Default)]
pub struct Serial {
    pub sb: u8,
    pub sc: u8,
    pub transfer_enabled: u8,
    pub internal_clock: u8,
    pub last_cycles: u64,
    pub cycles_to_interrupt: i64,
    pub clock: u64,
    pub clock_target: u64,
}

impl Serial {
    fn set_sc(&mut self, v: u8) {
        self.sc = v | 0x7E;
        self.transfer_enabled = self.sc & 0x80;
        self.internal_clock = self.sc & 1;
        if self.internal_clock != 0 {
            self.clock_target = self.clock + 8 * CYCLES_8192HZ;
            self.cycles_to_interrupt = (self.clock_target - self.clock) as i64;
        } else {
            self.transfer_enabled = 0;
            self.clock_target = MAX_CYCLES as u64;
            self.cycles_to_interrupt = MAX_CYCLES;
        }
    }
    fn tick(&mut self, now: u64) -> bool {
        let cycles = now.wrapping_sub(self.last_cycles);
        if cycles == 0 {
            return false;
        }
        self.last_cycles = now;
        self.clock = self.clock.wrapping_add(cycles);
        let mut intr = false;
        if self.transfer_enabled != 0 && self.clock >= self.clock_target {
            self.sc &= 0x7F;
            self.transfer_enabled = 0;
            self.clock_target = MAX_CYCLES as u64;
            intr = true;
        }
        self.cycles_to_interrupt =
            if self.transfer_enabled != 0 { self.clock_target.wrapping_sub(self.clock) as i64 } else { MAX_CYCLES };
        intr
    }
}

#[derive(Clone)]
pub struct Gb {
    pub a: u8,
    pub f: u8,
    pub b: u8,
    pub c: u8,
    pub d: u8,
    pub e: u8,
    pub hl: u16,
    pub sp: u16,
    pub pc: u16,
    pub ime: bool,
    pub ie_delay: u8,
    pub queued: bool,
    pub halted: bool,
    pub halted_during_ei: bool,
    pub stopped: bool,
    pub intf: u8,
    pub inte: u8,
    pub cycles: i64,
    pub mao: i64,
    pub bail: bool,
    pub bootrom: Vec<u8>,
    pub bootrom_enabled: bool,
    pub cart: Cart,
    pub lcd: Lcd,
    pub timer: Timer,
    pub serial: Serial,
    pub wram: Vec<u8>,
    pub nonio: Vec<u8>,
    pub io: Vec<u8>,
    pub hram: Vec<u8>,
    pub dma_active: bool,
    pub dma_reading: bool,
    pub dma_source: u8,
    pub dma_index: u8,
    pub dma_start: i64,
    pub joy_dir: u8,
    pub joy_std: u8,
    pub sound_last_cycles: u64,
    pub mutant: u32,
    pub frames: u64,
    pub stop_at: Vec<u16>,
    pub hit: bool,
}

const OPLEN: [u8; 256] = {
    let mut t = [1u8; 256];
    let two: [u8; 19] =
        [0x06, 0x0E, 0x16, 0x1E, 0x26, 0x2E, 0x36, 0x3E, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0xE0, 0xF0, 0xE8, 0xF8, 0xCB];
    let alu: [u8; 8] = [0xC6, 0xCE, 0xD6, 0xDE, 0xE6, 0xEE, 0xF6, 0xFE];
    let three: [u8; 19] = [
        0x01, 0x11, 0x21, 0x31, 0x08, 0xC2, 0xC3, 0xCA, 0xD2, 0xDA, 0xC4, 0xCC, 0xCD, 0xD4, 0xDC, 0xEA, 0xFA, 0, 0,
    ];
    let mut i = 0;
    while i < 19 {
        t[two[i] as usize] = 2;
        i += 1;
    }
    i = 0;
    while i < 8 {
        t[alu[i] as usize] = 2;
        i += 1;
    }
    i = 0;
    while i < 17 {
        t[three[i] as usize] = 3;
        i += 1;
    }
    t
};

impl Gb {
    pub fn new(rom: Vec<u8>, bootrom: Vec<u8>) -> Result<Gb, String> {
        let cart = Cart::new(rom)?;
        Ok(Gb {
            a: 0,
            f: 0,
            b: 0,
            c: 0,
            d: 0,
            e: 0,
            hl: 0,
            sp: 0,
            pc: 0,
            ime: false,
            ie_delay: 0,
            queued: false,
            halted: false,
            halted_during_ei: false,
            stopped: false,
            intf: 0,
            inte: 0,
            cycles: 0,
            mao: 0,
            bail: false,
            bootrom,
            bootrom_enabled: true,
            cart,
            lcd: Lcd::new(),
            timer: Timer::default(),
            serial: Serial {
                sb: 0xFF,
                sc: 0x7E,
                clock_target: MAX_CYCLES as u64,
                ..Default::default()
            },
            wram: vec![0; 0x2000],
            nonio: vec![0; 0x60],
            io: vec![0; 0x4C],
            hram: vec![0; 0x7F],
            dma_active: false,
            dma_reading: false,
            dma_source: 0,
            dma_index: 0,
            dma_start: 0,
            joy_dir: 0xF,
            joy_std: 0xF,
            sound_last_cycles: 0,
            mutant: 0,
            frames: 0,
            stop_at: Vec::new(),
            hit: false,
        })
    }

    pub fn set_mutant(&mut self, m: u32) {
        self.mutant = m;
        self.cart.mutant = m;
        self.lcd.mutant = m;
        self.lcd.stat.no_lyc_irq = m & crate::lcd::MUT_STAT_LYC != 0;
        self.timer.reload_zero = m & MUT_TIMER_RELOAD != 0;
    }

    // ---------------------------------------------------------------- coordinator

    /// One frame (PyBoy.tick(1)): run until the LCD reports a finished frame.
    pub fn frame(&mut self, render: bool) {
        self.lcd.frame_done = false;
        self.lcd.disable_renderer = !render;
        while !self.lcd.frame_done && !self.hit {
            let t = self
                .timer
                .cycles_to_interrupt
                .min(self.lcd.cycles_to_interrupt)
                .min(self.lcd.cycles_to_frame)
                .min(MAX_CYCLES)
                .min(self.serial.cycles_to_interrupt)
                .max(4);
            self.cpu_tick(t);
            if self.dma_active && !self.dma_reading {
                self.sync_oam_dma(0);
            }
            self.sound_last_cycles = self.cycles as u64;
            let now = self.cycles as u64;
            if self.serial.tick(now) {
                self.intf |= INTR_SERIAL;
            }
            if self.timer.tick(now) {
                self.intf |= INTR_TIMER;
            }
            let i = self.lcd.tick(now);
            self.intf |= i;
        }
        self.frames += 1;
    }

    /// Joypad state as a mask (bit 0..7 = right, left, up, down, A, B, select, start; 1 = pressed).
    pub fn set_buttons(&mut self, mask: u8) {
        let dir = !mask & 0xF;
        let std = !(mask >> 4) & 0xF;
        let pressed = (self.joy_dir & !dir) | (self.joy_std & !std);
        self.joy_dir = dir;
        self.joy_std = std;
        if pressed != 0 && self.mutant & MUT_JOYPAD_IRQ == 0 {
            self.intf |= INTR_JOYPAD;
        }
    }

    fn cpu_tick(&mut self, target: i64) {
        let end = self.cycles + target;
        if self.check_interrupts() {
            self.halted = false;
        }
        if self.halted && self.queued {
            self.halted = false;
            self.pc = self.pc.wrapping_add(1);
        } else if self.halted {
            self.cycles += target;
        }
        self.queued = false;
        self.bail = false;
        while self.cycles < end {
            self.fetch_and_execute();
            if self.bail {
                break;
            }
        }
    }

    fn pending(&self) -> u8 {
        self.intf & self.inte & 0x1F
    }

    fn check_interrupts(&mut self) -> bool {
        if self.queued || self.ie_delay != 0 {
            return false;
        }
        let rae = self.pending();
        if rae != 0 {
            if self.halted && !self.halted_during_ei && self.mutant & MUT_HALT_SKIP == 0 {
                self.pc = self.pc.wrapping_add(1);
            }
            self.halted_during_ei = false;
            if self.ime {
                self.handle_interrupt();
            }
            self.queued = true;
            return true;
        }
        self.queued = false;
        false
    }

    fn pick(&self, rae: u8) -> (u8, u16) {
        if self.mutant & MUT_INT_PRIORITY != 0 {
            for bit in (0..5).rev() {
                if rae & (1 << bit) != 0 {
                    return (1 << bit, 0x40 + 8 * bit as u16);
                }
            }
        }
        for bit in 0..5 {
            if rae & (1 << bit) != 0 {
                return (1 << bit, 0x40 + 8 * bit as u16);
            }
        }
        (16, 0x60)
    }

    fn handle_interrupt(&mut self) {
        self.write(self.sp.wrapping_sub(1), (self.pc >> 8) as u8);
        let rae = self.pending();
        if rae == 0 {
            self.pc = 0;
            self.ime = false;
            return;
        }
        let (flag, addr) = self.pick(rae);
        self.intf ^= flag;
        self.write(self.sp.wrapping_sub(2), self.pc as u8);
        self.sp = self.sp.wrapping_sub(2);
        self.pc = addr;
        self.cycles += 20;
        self.ime = false;
    }

    // ---------------------------------------------------------------- memory

    fn lcd_tick_at(&mut self, at: i64) {
        let i = self.lcd.tick(at as u64);
        self.intf |= i;
    }

    pub fn read(&mut self, i: u16) -> u8 {
        let a = i as usize;
        match i {
            0x0000..=0x3FFF => {
                if self.bootrom_enabled && a <= 0xFF {
                    self.bootrom[a]
                } else {
                    self.cart.read_rom(a)
                }
            }
            0x4000..=0x7FFF => self.cart.read_rom(a),
            0x8000..=0x9FFF => {
                if self.mao != 0 {
                    self.lcd_tick_at(self.cycles + self.mao);
                    let l = &self.lcd;
                    if l.enabled()
                        && (l.stat.mode == 3
                            || (l.stat.mode == 2 && l.clock <= l.clock_target && l.clock_target - l.clock <= 4))
                    {
                        return 0xFF;
                    }
                }
                self.lcd.vram[a - 0x8000]
            }
            0xA000..=0xBFFF => self.cart.read_ram(a),
            0xC000..=0xDFFF => self.wram[a - 0xC000],
            0xE000..=0xFDFF => self.read(i - 0x2000),
            0xFE00..=0xFE9F => {
                if self.mao != 0 && !self.dma_reading {
                    self.lcd_tick_at(self.cycles + self.mao);
                    if self.lcd.enabled() && (self.lcd.stat.mode == 2 || self.lcd.stat.mode == 3 || self.lcd.is_startup_mode2_delay()) {
                        return 0xFF;
                    }
                }
                if self.dma_active && !self.dma_reading {
                    self.sync_oam_dma(self.mao);
                }
                let mao = self.mao;
                let mut started = self.cycles + mao >= self.dma_start;
                if self.dma_active && !self.dma_reading && started && self.hl == i {
                    self.sync_oam_dma(mao.max(4));
                    started = self.cycles + mao >= self.dma_start;
                }
                if self.dma_active && started && !self.dma_reading {
                    return 0xFF;
                }
                self.lcd.oam[a - 0xFE00]
            }
            0xFEA0..=0xFEFF => self.nonio[a - 0xFEA0],
            _ => self.read_io(i),
        }
    }

    pub fn read_io(&mut self, i: u16) -> u8 {
        if self.dma_active && !self.dma_reading {
            self.sync_oam_dma(self.mao);
        }
        let a = i as usize;
        match i {
            0xFF00 => self.io[0],
            0xFF01 | 0xFF02 => {
                if self.serial.tick(self.cycles as u64) {
                    self.intf |= INTR_SERIAL;
                }
                if i == 0xFF01 {
                    self.serial.sb
                } else {
                    self.serial.sc
                }
            }
            0xFF03 => 0xFF,
            0xFF04..=0xFF07 => {
                if self.timer.tick(self.cycles as u64) {
                    self.intf |= INTR_TIMER;
                }
                match i {
                    0xFF04 => self.timer.div as u8,
                    0xFF05 => self.timer.read_tima(),
                    0xFF06 => self.timer.tma as u8,
                    _ => self.timer.tac as u8 | 0xF8,
                }
            }
            0xFF08..=0xFF0E => 0xFF,
            0xFF0F => self.intf | 0xE0,
            0xFF10..=0xFF3F => 0,
            0xFF40..=0xFF4B => {
                self.lcd_tick_at(self.cycles + self.mao);
                let l = &mut self.lcd;
                match i {
                    0xFF40 => l.lcdc,
                    0xFF41 => {
                        let mut v = l.stat.value;
                        if l.stat_mode_override {
                            l.stat_mode_override = false;
                            v &= 0xFC;
                        }
                        v
                    }
                    0xFF42 => l.scy,
                    0xFF43 => l.scx,
                    0xFF44 => l.ly,
                    0xFF45 => l.lyc,
                    0xFF46 => self.dma_source,
                    0xFF47 => l.bgp,
                    0xFF48 => l.obp0,
                    0xFF49 => l.obp1,
                    0xFF4A => l.wy,
                    _ => l.wx,
                }
            }
            0xFF4C..=0xFF7F => 0xFF,
            0xFF80..=0xFFFE => self.hram[a - 0xFF80],
            0xFFFF => self.inte,
            _ => self.io[a - 0xFF00],
        }
    }

    pub fn write(&mut self, i: u16, v: u8) {
        let a = i as usize;
        match i {
            0x0000..=0x7FFF => {
                self.cart.write(a, v);
                self.bail = true;
            }
            0x8000..=0x9FFF => {
                if self.mao != 0 {
                    self.lcd_tick_at(self.cycles + self.mao);
                    if self.lcd.enabled() && self.lcd.stat.mode == 3 {
                        return;
                    }
                }
                self.lcd.vram[a - 0x8000] = v;
            }
            0xA000..=0xBFFF => self.cart.write(a, v),
            0xC000..=0xDFFF => self.wram[a - 0xC000] = v,
            0xE000..=0xFDFF => self.write(i - 0x2000, v),
            0xFE00..=0xFE9F => {
                if self.mao != 0 {
                    self.lcd_tick_at(self.cycles + self.mao);
                    let l = &self.lcd;
                    if l.enabled()
                        && (l.stat.mode == 3
                            || (l.stat.mode == 2
                                && !(l.first_frame && l.clock <= l.clock_target && l.clock_target - l.clock <= 4)))
                    {
                        return;
                    }
                }
                if self.dma_active && !self.dma_reading {
                    self.sync_oam_dma(self.mao);
                }
                if !self.dma_active {
                    self.lcd.oam[a - 0xFE00] = v;
                }
            }
            0xFEA0..=0xFEFF => self.nonio[a - 0xFEA0] = v,
            _ => self.write_io(i, v),
        }
    }

    pub fn write_io(&mut self, i: u16, v: u8) {
        if self.dma_active && !self.dma_reading {
            self.sync_oam_dma(self.mao);
        }
        let a = i as usize;
        match i {
            0xFF00..=0xFF4B => {
                match i {
                    0xFF00 => self.io[0] = self.pull(v),
                    0xFF01 | 0xFF02 => {
                        if self.serial.tick(self.cycles as u64) {
                            self.intf |= INTR_SERIAL;
                        }
                        if i == 0xFF01 {
                            self.serial.sb = 0xFF;
                        } else {
                            self.serial.set_sc(v);
                        }
                    }
                    0xFF04..=0xFF07 => {
                        if self.timer.tick(self.cycles as u64) {
                            self.intf |= INTR_TIMER;
                        }
                        match i {
                            0xFF04 => {
                                self.sound_last_cycles = self.cycles as u64;
                                if self.mutant & MUT_DIV_RESET == 0 {
                                    self.timer.reset();
                                }
                            }
                            0xFF05 => self.timer.write_tima(v),
                            0xFF06 => self.timer.write_tma(v),
                            _ => self.timer.write_tac(v),
                        }
                    }
                    0xFF0F => self.intf = v & 0x1F,
                    0xFF10..=0xFF3F => self.sound_last_cycles = self.cycles as u64,
                    0xFF40..=0xFF4B => {
                        self.lcd_tick_at(self.cycles);
                        let l = &mut self.lcd;
                        match i {
                            0xFF40 => {
                                let x = l.set_lcdc(v);
                                self.intf |= x;
                            }
                            0xFF41 => {
                                let x = l.stat.set(v);
                                self.intf |= x;
                            }
                            0xFF42 => l.scy = v,
                            0xFF43 => l.scx = v,
                            0xFF44 => return,
                            0xFF45 => {
                                l.lyc = v;
                                if l.enabled() {
                                    let x = l.stat.update_lyc(l.lyc, l.ly);
                                    self.intf |= x;
                                } else {
                                    l.lyc_changed_while_disabled = true;
                                }
                            }
                            0xFF46 => self.transfer_dma(v),
                            0xFF47 => l.bgp = v,
                            0xFF48 => l.obp0 = v,
                            0xFF49 => l.obp1 = v,
                            0xFF4A => l.wy = v,
                            _ => l.wx = v,
                        }
                    }
                    _ => self.io[a - 0xFF00] = v,
                }
                self.bail = true;
            }
            0xFF4C..=0xFF7F => {
                if self.bootrom_enabled && i == 0xFF50 && (v == 1 || v == 0x11) {
                    self.bootrom_enabled = false;
                    self.bail = true;
                }
            }
            0xFF80..=0xFFFE => self.hram[a - 0xFF80] = v,
            _ => {
                self.inte = v;
                self.bail = true;
            }
        }
    }

    fn pull(&self, v: u8) -> u8 {
        let p14 = (v >> 4) & 1;
        let p15 = (v >> 5) & 1;
        let mut jb = v | 0xCF;
        if p14 != 0 && p15 != 0 {
            jb = 0x0F;
        } else if p14 == 0 && p15 == 0 {
        } else if p14 == 0 {
            jb &= self.joy_dir;
        } else {
            jb &= self.joy_std;
        }
        jb | 0xC0
    }

    fn transfer_dma(&mut self, src: u8) {
        self.dma_start = if self.dma_active && self.dma_index == 0 { self.cycles + 8 } else { self.cycles + 12 };
        self.dma_active = true;
        self.dma_reading = false;
        self.dma_source = src;
        self.dma_index = 0;
    }

    fn sync_oam_dma(&mut self, mao: i64) {
        if !self.dma_active || self.dma_reading {
            return;
        }
        let elapsed = self.cycles + mao - self.dma_start;
        if elapsed < 4 {
            return;
        }
        let target = 0xA0.min(elapsed / 4) as u8;
        while self.dma_index < target {
            self.dma_reading = true;
            let mut src = self.dma_source;
            if src >= 0xFE {
                src -= 0x20;
            }
            let idx = if self.mutant & MUT_DMA_SOURCE != 0 { self.dma_index.wrapping_add(1) % 0xA0 } else { self.dma_index };
            let v = self.read(((src as u16) << 8) | idx as u16);
            self.dma_reading = false;
            self.lcd.oam[self.dma_index as usize] = v;
            self.dma_index += 1;
        }
        if self.dma_index == 0xA0 {
            self.dma_active = false;
        }
    }

    // ---------------------------------------------------------------- CPU

    fn fetch_and_execute(&mut self) {
        if !self.stop_at.is_empty() && self.stop_at.contains(&self.pc) {
            // Like PyBoy's breakpoint opcode: nothing executes, the slice ends, the EI delay counts.
            self.hit = true;
            self.bail = true;
            self.ei_countdown();
            return;
        }
        let pc = self.pc as usize;
        let (p1, p2, p3);
        if !self.bootrom_enabled && pc + 2 < 0x8000 {
            let bank = if pc + 2 < 0x4000 { self.cart.rombank_selected_low } else { self.cart.rombank_selected };
            let base = if pc + 2 < 0x4000 { pc } else { pc.wrapping_sub(0x4000) };
            let bank_len = 0x4000usize;
            let at = |k: usize| -> u8 {
                let off = base.wrapping_add(k) as isize;
                let off = if off < 0 { (off + bank_len as isize) as usize } else { off as usize };
                self.cart.rom[bank * bank_len + off]
            };
            p1 = at(0);
            p2 = at(1);
            p3 = at(2);
        } else {
            self.mao = 0;
            p1 = self.read(self.pc);
            let len = OPLEN[p1 as usize];
            let mut q2 = 0;
            let mut q3 = 0;
            if p1 == 0xCB || len >= 2 {
                self.mao = 4;
                q2 = self.read(self.pc.wrapping_add(1));
            }
            if len == 3 {
                self.mao = 8;
                q3 = self.read(self.pc.wrapping_add(2));
            }
            self.mao = 0;
            p2 = q2;
            p3 = q3;
        }
        if p1 == 0xCB {
            self.exec_cb(p2);
        } else {
            let v = match OPLEN[p1 as usize] {
                2 => p2 as u16,
                3 => ((p3 as u16) << 8) | p2 as u16,
                _ => 0,
            };
            self.exec(p1, v);
        }
        self.ei_countdown();
    }

    fn ei_countdown(&mut self) {
        if self.ie_delay != 0 {
            self.ie_delay -= 1;
            if self.ie_delay == 0 {
                self.ime = true;
                self.bail = self.pending() != 0;
            }
        }
    }

    #[inline]
    fn adv(&mut self, n: u16, c: i64) {
        self.pc = self.pc.wrapping_add(n);
        self.cycles += c;
    }

    #[inline]
    fn flag(&self, bit: u8) -> bool {
        self.f & (1 << bit) != 0
    }

    fn cond(&self, y: u8) -> bool {
        match y & 3 {
            0 => !self.flag(7),
            1 => self.flag(7),
            2 => !self.flag(4),
            _ => self.flag(4),
        }
    }

    fn get_r(&self, r: u8) -> u8 {
        match r {
            0 => self.b,
            1 => self.c,
            2 => self.d,
            3 => self.e,
            4 => (self.hl >> 8) as u8,
            5 => self.hl as u8,
            _ => self.a,
        }
    }

    fn set_r(&mut self, r: u8, v: u8) {
        match r {
            0 => self.b = v,
            1 => self.c = v,
            2 => self.d = v,
            3 => self.e = v,
            4 => self.hl = (self.hl & 0x00FF) | ((v as u16) << 8),
            5 => self.hl = (self.hl & 0xFF00) | v as u16,
            _ => self.a = v,
        }
    }

    fn get_rr(&self, p: u8) -> u16 {
        match p {
            0 => ((self.b as u16) << 8) | self.c as u16,
            1 => ((self.d as u16) << 8) | self.e as u16,
            2 => self.hl,
            _ => self.sp,
        }
    }

    fn set_rr(&mut self, p: u8, v: u16) {
        match p {
            0 => {
                self.b = (v >> 8) as u8;
                self.c = v as u8
            }
            1 => {
                self.d = (v >> 8) as u8;
                self.e = v as u8
            }
            2 => self.hl = v,
            _ => self.sp = v,
        }
    }

    fn alu(&mut self, op: u8, b: u8) {
        let a = self.a;
        let carry = self.flag(4) as u16;
        let (t, f): (u8, u8) = match op {
            0 | 1 => {
                let c = if op == 1 { carry } else { 0 };
                let t = a as u16 + b as u16 + c;
                let mut h = (a & 0xF) as u16 + (b & 0xF) as u16 + c > 0xF;
                if self.mutant & MUT_FLAG_H_ADD != 0 {
                    h = (a & 0xF) as u16 + (b & 0xF) as u16 > 0x10;
                }
                (t as u8, ((t as u8 == 0) as u8) << 7 | (h as u8) << 5 | ((t > 0xFF) as u8) << 4)
            }
            2 | 3 | 7 => {
                let mut c = if op == 3 { carry as i32 } else { 0 };
                if op == 3 && self.mutant & MUT_SBC_CARRY != 0 {
                    c = 0;
                }
                let t = a as i32 - b as i32 - c;
                let h = (a & 0xF) as i32 - (b & 0xF) as i32 - c < 0;
                let cy = if self.mutant & MUT_FLAG_C_SUB != 0 { t < -1 } else { t < 0 };
                (t as u8, ((t as u8 == 0) as u8) << 7 | 0x40 | (h as u8) << 5 | (cy as u8) << 4)
            }
            4 => {
                let t = a & b;
                (t, ((t == 0) as u8) << 7 | 0x20)
            }
            5 => {
                let t = a ^ b;
                (t, ((t == 0) as u8) << 7)
            }
            _ => {
                let t = a | b;
                (t, ((t == 0) as u8) << 7)
            }
        };
        self.f = f;
        if op != 7 {
            self.a = t;
        }
    }

    fn inc8(&mut self, v: u8) -> u8 {
        let t = v.wrapping_add(1);
        self.f = (self.f & 0x10) | ((t == 0) as u8) << 7 | (((v & 0xF) + 1 > 0xF) as u8) << 5;
        t
    }

    fn dec8(&mut self, v: u8) -> u8 {
        let t = v.wrapping_sub(1);
        self.f = (self.f & 0x10) | ((t == 0) as u8) << 7 | 0x40 | (((v & 0xF) as i32 - 1 < 0) as u8) << 5;
        t
    }

    fn push16(&mut self, v: u16) {
        self.write(self.sp.wrapping_sub(1), (v >> 8) as u8);
        self.cycles += 4;
        self.write(self.sp.wrapping_sub(2), v as u8);
        self.sp = self.sp.wrapping_sub(2);
    }

    fn pop16(&mut self) -> u16 {
        let lo = self.read(self.sp) as u16;
        self.cycles += 4;
        let hi = self.read(self.sp.wrapping_add(1)) as u16;
        self.sp = self.sp.wrapping_add(2);
        (hi << 8) | lo
    }

    fn exec(&mut self, op: u8, v: u16) {
        let x = op >> 6;
        let y = (op >> 3) & 7;
        let z = op & 7;
        match x {
            1 if op == 0x76 => {
                self.halted = true;
                self.halted_during_ei = self.ie_delay == 1;
                self.bail = true;
                self.cycles += 4;
            }
            1 => {
                if z == 6 {
                    if y == 7 {
                        self.mao = 4;
                    }
                    let val = self.read(self.hl);
                    self.mao = 0;
                    self.set_r(y, val);
                    self.adv(1, 8);
                } else if y == 6 {
                    self.write(self.hl, self.get_r(z));
                    self.adv(1, 8);
                } else {
                    self.set_r(y, self.get_r(z));
                    self.adv(1, 4);
                }
            }
            2 => {
                if z == 6 {
                    let val = self.read(self.hl);
                    self.alu(y, val);
                    self.adv(1, 8);
                } else {
                    self.alu(y, self.get_r(z));
                    self.adv(1, 4);
                }
            }
            0 => self.exec_x0(op, y, z, v),
            _ => self.exec_x3(op, y, z, v),
        }
    }

    fn exec_x0(&mut self, op: u8, y: u8, z: u8, v: u16) {
        let p = y >> 1;
        let q = y & 1;
        match z {
            0 => match y {
                0 => self.adv(1, 4),
                1 => {
                    self.write(v, self.sp as u8);
                    self.write(v.wrapping_add(1), (self.sp >> 8) as u8);
                    self.adv(3, 20);
                }
                2 => self.adv(2, 4),
                _ => {
                    let taken = y == 3 || self.cond(y - 4);
                    self.pc = self.pc.wrapping_add(2);
                    if taken {
                        self.pc = self.pc.wrapping_add((v as u8 as i8) as u16);
                        let c = if self.mutant & MUT_CYCLES_JR != 0 && y != 3 { 8 } else { 12 };
                        self.cycles += c;
                    } else {
                        self.cycles += 8;
                    }
                }
            },
            1 => {
                if q == 0 {
                    self.set_rr(p, v);
                    self.adv(3, 12);
                } else {
                    let a = self.hl as u32;
                    let b = self.get_rr(p) as u32;
                    let t = a + b;
                    let h = (a & 0xFFF) + (b & 0xFFF) > 0xFFF;
                    self.f = (self.f & 0x80) | (h as u8) << 5 | ((t > 0xFFFF) as u8) << 4;
                    self.hl = t as u16;
                    self.adv(1, 8);
                }
            }
            2 => {
                let addr = match p {
                    0 => self.get_rr(0),
                    1 => self.get_rr(1),
                    _ => self.hl,
                };
                if q == 0 {
                    if p == 1 {
                        self.mao = 4;
                    }
                    self.write(addr, self.a);
                    self.mao = 0;
                } else {
                    if p == 1 {
                        self.mao = 4;
                    }
                    self.a = self.read(addr);
                    self.mao = 0;
                }
                if p == 2 {
                    self.hl = self.hl.wrapping_add(1);
                } else if p == 3 {
                    self.hl = self.hl.wrapping_sub(1);
                }
                self.adv(1, 8);
            }
            3 => {
                let r = self.get_rr(p);
                let t = if q == 0 { r.wrapping_add(1) } else { r.wrapping_sub(1) };
                if self.mutant & MUT_INC16_FLAGS != 0 && t == 0 {
                    self.f |= 0x80;
                }
                self.set_rr(p, t);
                self.adv(1, 8);
            }
            4 | 5 => {
                if y == 6 {
                    let val = self.read(self.hl);
                    self.cycles += 4;
                    let t = if z == 4 { self.inc8(val) } else { self.dec8(val) };
                    self.write(self.hl, t);
                    self.adv(1, 8);
                } else {
                    let val = self.get_r(y);
                    let t = if z == 4 { self.inc8(val) } else { self.dec8(val) };
                    self.set_r(y, t);
                    self.adv(1, 4);
                }
            }
            6 => {
                if y == 6 {
                    self.cycles += 4;
                    self.write(self.hl, v as u8);
                    self.adv(2, 8);
                } else {
                    self.set_r(y, v as u8);
                    self.adv(2, 8);
                }
            }
            _ => {
                let a = self.a;
                let c = self.flag(4) as u8;
                match y {
                    0 => {
                        let t = a.rotate_left(1);
                        self.a = t;
                        self.f = (a >> 7) << 4;
                    }
                    1 => {
                        self.a = a.rotate_right(1);
                        self.f = (a & 1) << 4;
                    }
                    2 => {
                        self.a = (a << 1) | c;
                        self.f = (a >> 7) << 4;
                        if self.mutant & MUT_RLA_ZERO != 0 && self.a == 0 {
                            self.f |= 0x80;
                        }
                    }
                    3 => {
                        self.a = (a >> 1) | (c << 7);
                        self.f = (a & 1) << 4;
                    }
                    4 => self.daa(),
                    5 => {
                        self.a = !a;
                        self.f = (self.f & 0x90) | 0x60;
                    }
                    6 => self.f = (self.f & 0x80) | 0x10,
                    _ => self.f = (self.f & 0x80) | ((self.f & 0x10) ^ 0x10),
                }
                let _ = op;
                self.adv(1, 4);
            }
        }
    }

    fn daa(&mut self) {
        let mut t = self.a as i32;
        let mut corr = 0;
        if self.flag(5) {
            corr |= 0x06;
        }
        if self.flag(4) {
            corr |= 0x60;
        }
        if self.flag(6) {
            t -= corr;
        } else {
            if t & 0x0F > 0x09 {
                corr |= 0x06;
            }
            if t > 0x99 && self.mutant & MUT_DAA == 0 {
                corr |= 0x60;
            }
            t += corr;
        }
        let f = (((t & 0xFF) == 0) as u8) << 7 | ((corr & 0x60 != 0) as u8) << 4;
        self.f = (self.f & 0x40) | f;
        self.a = t as u8;
    }

    fn exec_x3(&mut self, op: u8, y: u8, z: u8, v: u16) {
        let p = y >> 1;
        let q = y & 1;
        match z {
            0 => match y {
                0..=3 => {
                    if self.cond(y) {
                        self.cycles += 8;
                        self.pc = self.pop16();
                        self.cycles += 8;
                    } else {
                        self.adv(1, 8);
                    }
                }
                4 => {
                    self.cycles += 4;
                    self.write_io(0xFF00 | v, self.a);
                    self.adv(2, 8);
                }
                5 | 7 => {
                    let b = (v as u8 as i8) as i16 as u16;
                    let sp = self.sp;
                    let h = (sp & 0xF) + (v & 0xF) > 0xF;
                    let c = (sp & 0xFF) + (v & 0xFF) > 0xFF;
                    self.f = (h as u8) << 5 | (c as u8) << 4;
                    if y == 5 {
                        self.sp = sp.wrapping_add(b);
                        self.adv(2, 16);
                    } else {
                        self.hl = sp.wrapping_add(b);
                        self.adv(2, 12);
                    }
                }
                _ => {
                    self.cycles += 4;
                    self.a = self.read_io(0xFF00 | v);
                    self.adv(2, 8);
                }
            },
            1 => {
                if q == 0 {
                    let val = self.pop16();
                    if p == 3 {
                        self.a = (val >> 8) as u8;
                        self.f = if self.mutant & MUT_POP_AF_MASK != 0 { val as u8 } else { val as u8 & 0xF0 };
                    } else {
                        self.set_rr(p, val);
                    }
                    self.adv(1, 8);
                } else {
                    match p {
                        0 | 1 => {
                            if p == 1 {
                                self.ime = true;
                                self.ie_delay = 0;
                                self.bail = self.pending() != 0;
                            }
                            self.cycles += 4;
                            self.pc = self.pop16();
                            self.cycles += 8;
                        }
                        2 => {
                            self.pc = self.hl;
                            self.cycles += 4;
                        }
                        _ => {
                            self.sp = self.hl;
                            self.adv(1, 8);
                        }
                    }
                }
            }
            2 => {
                if y < 4 {
                    if self.cond(y) {
                        self.pc = v;
                        self.cycles += 16;
                    } else {
                        self.adv(3, 12);
                    }
                } else {
                    match y {
                        4 => {
                            self.write_io(0xFF00 | self.c as u16, self.a);
                            self.adv(1, 8);
                        }
                        5 => {
                            self.cycles += 8;
                            self.write(v, self.a);
                            self.adv(3, 8);
                        }
                        6 => {
                            self.a = self.read_io(0xFF00 | self.c as u16);
                            self.adv(1, 8);
                        }
                        _ => {
                            self.cycles += 8;
                            self.a = self.read(v);
                            self.adv(3, 8);
                        }
                    }
                }
            }
            3 => match y {
                0 => {
                    self.pc = v;
                    self.cycles += 16;
                }
                6 => {
                    self.ime = false;
                    self.ie_delay = 0;
                    self.adv(1, 4);
                }
                7 => {
                    if self.mutant & MUT_EI_IMMEDIATE != 0 {
                        self.ime = true;
                    } else if self.ie_delay == 0 {
                        self.ie_delay = 2;
                    }
                    self.adv(1, 4);
                }
                _ => self.illegal(op),
            },
            4 => {
                if y < 4 {
                    if self.cond(y) {
                        self.call(v);
                    } else {
                        self.adv(3, 12);
                    }
                } else {
                    self.illegal(op);
                }
            }
            5 => {
                if q == 0 {
                    let val = if p == 3 { ((self.a as u16) << 8) | (self.f & 0xF0) as u16 } else { self.get_rr(p) };
                    self.pc = self.pc.wrapping_add(1);
                    self.cycles += 8;
                    self.push16(val);
                    self.cycles += 4;
                } else if p == 0 {
                    self.call(v);
                } else {
                    self.illegal(op);
                }
            }
            6 => {
                self.alu(y, v as u8);
                self.adv(2, 8);
            }
            _ => {
                self.pc = self.pc.wrapping_add(1);
                self.cycles += 8;
                let ret = self.pc;
                self.push16(ret);
                self.pc = (y as u16) * 8;
                self.cycles += 4;
            }
        }
    }

    fn call(&mut self, v: u16) {
        self.pc = self.pc.wrapping_add(3);
        let c = if self.mutant & MUT_CYCLES_CALL != 0 { 12 } else { 16 };
        self.cycles += c;
        let ret = self.pc;
        self.push16(ret);
        self.pc = v;
        self.cycles += 4;
    }

    fn illegal(&mut self, _op: u8) {
        self.adv(1, 4);
    }

    fn exec_cb(&mut self, op: u8) {
        let x = op >> 6;
        let y = (op >> 3) & 7;
        let z = op & 7;
        let mem = z == 6;
        if x == 1 {
            let val = if mem {
                self.cycles += 4;
                self.read(self.hl)
            } else {
                self.get_r(z)
            };
            self.f = (self.f & 0x10) | 0x20 | (((val >> y) & 1 == 0) as u8) << 7;
            self.pc = self.pc.wrapping_add(2);
            self.cycles += 8;
            return;
        }
        let val = if mem {
            self.cycles += 4;
            let v = self.read(self.hl);
            self.cycles += 4;
            v
        } else {
            self.get_r(z)
        };
        let t = match x {
            0 => {
                let c = self.flag(4) as u8;
                let (t, cy) = match y {
                    0 => (val.rotate_left(1), val >> 7),
                    1 => (val.rotate_right(1), val & 1),
                    2 => ((val << 1) | c, val >> 7),
                    3 => ((val >> 1) | (c << 7), val & 1),
                    4 => (val << 1, val >> 7),
                    5 => ((val >> 1) | (val & 0x80), val & 1),
                    6 => (val.rotate_left(4), 0),
                    _ => (val >> 1, val & 1),
                };
                self.f = ((t == 0) as u8) << 7 | cy << 4;
                t
            }
            2 => val & !(1 << y),
            _ => val | (1 << y),
        };
        if mem {
            self.write(self.hl, t);
        } else {
            self.set_r(z, t);
        }
        self.pc = self.pc.wrapping_add(2);
        self.cycles += 8;
    }
}
