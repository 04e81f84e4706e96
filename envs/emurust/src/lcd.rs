//! The DMG PPU as PyBoy 2.8.1 schedules it: a mode state machine advanced one transition per
//! tick (clock vs clock_target), STAT/LYC interrupt line, mode-3 length from sprites and SCX,
//! and a scanline renderer run on entry to mode 0 (background, window, up to 10 sprites).

pub const FRAME_CYCLES: u64 = 70224;
pub const INTR_VBLANK: u8 = 1;
pub const INTR_LCDC: u8 = 2;

pub const T_NONE: u8 = 0;
pub const T_ADVANCE_LY: u8 = 1;
pub const T_START_MODE2: u8 = 2;

pub const MUT_LY_OFF_BY_ONE: u32 = 1 << 8;
pub const MUT_SPRITE_PRIORITY: u32 = 1 << 9;
pub const MUT_MODE3_LENGTH: u32 = 1 << 10;
pub const MUT_STAT_LYC: u32 = 1 << 11;
pub const MUT_WINDOW_LINE: u32 = 1 << 12;
pub const MUT_SCX_FINE: u32 = 1 << 13;

pub const COLS: usize = 160;
pub const ROWS: usize = 144;
pub const PALETTE: [u32; 4] = [0xFFFFFFFF, 0xFF999999, 0xFF555555, 0xFF000000];

#[derive(Clone)]
pub struct Stat {
    pub value: u8,
    pub mode: u8,
    pub irq_line: bool,
    /// Test-only deliberate bug (MUT_STAT_LYC): the LYC coincidence never drives the STAT line.
    pub no_lyc_irq: bool,
}

impl Stat {
    pub fn set(&mut self, v: u8) -> u8 {
        self.value &= 0b1000_0111;
        self.value |= v & 0b0111_1000;
        self.update_irq_line()
    }
    pub fn update_lyc(&mut self, lyc: u8, ly: u8) -> u8 {
        if lyc == ly {
            self.value |= 4;
        } else {
            self.value &= 0xFB;
        }
        self.update_irq_line()
    }
    pub fn set_mode(&mut self, mode: u8) -> u8 {
        if self.mode == mode {
            return 0;
        }
        self.mode = mode;
        self.value &= 0xFC;
        self.value |= mode;
        self.update_irq_line()
    }
    pub fn update_irq_line(&mut self) -> u8 {
        let mode_irq = self.mode != 3 && self.value & (1 << (self.mode + 3)) != 0;
        let lyc_irq = self.value & 0x44 == 0x44 && !self.no_lyc_irq;
        let line = mode_irq || lyc_irq;
        let intr = if line && !self.irq_line { INTR_LCDC } else { 0 };
        self.irq_line = line;
        intr
    }
}

#[derive(Clone)]
pub struct Lcd {
    pub vram: Vec<u8>,
    pub oam: Vec<u8>,
    pub lcdc: u8,
    pub stat: Stat,
    pub bgp: u8,
    pub obp0: u8,
    pub obp1: u8,
    pub scy: u8,
    pub scx: u8,
    pub wy: u8,
    pub wx: u8,
    pub ly: u8,
    pub lyc: u8,
    pub object_priority_mode: u8,
    pub next_stat_mode: u8,
    pub stat_transition: u8,
    pub frame_done: bool,
    pub first_frame: bool,
    pub reset: bool,
    pub stat_mode_override: bool,
    pub lyc_changed_while_disabled: bool,
    pub mode3_adjustment: i64,
    pub clock: u64,
    pub clock_target: u64,
    pub last_cycles: u64,
    pub cycles_to_interrupt: i64,
    pub cycles_to_frame: i64,
    pub scanline_params: Vec<[u8; 5]>,
    pub disable_renderer: bool,
    pub screen: Vec<u32>,
    pub attrs: Vec<u8>,
    pub ly_window: i32,
    pub wy_activated_frame: bool,
    pub mutant: u32,
}

impl Lcd {
    pub fn new() -> Lcd {
        Lcd {
            vram: vec![0; 0x2000],
            oam: vec![0; 0xA0],
            lcdc: 0,
            stat: Stat { value: 0x80, mode: 0, irq_line: false, no_lyc_irq: false },
            bgp: 0xFC,
            obp0: 0xFF,
            obp1: 0xFF,
            scy: 0,
            scx: 0,
            wy: 0,
            wx: 0,
            ly: 0,
            lyc: 0,
            object_priority_mode: 0xFF,
            next_stat_mode: 2,
            stat_transition: T_NONE,
            frame_done: false,
            first_frame: false,
            reset: false,
            stat_mode_override: false,
            lyc_changed_while_disabled: false,
            mode3_adjustment: 0,
            clock: 0,
            clock_target: FRAME_CYCLES,
            last_cycles: 0,
            cycles_to_interrupt: 0,
            cycles_to_frame: FRAME_CYCLES as i64,
            scanline_params: vec![[0; 5]; ROWS],
            disable_renderer: false,
            screen: vec![0; ROWS * COLS],
            attrs: vec![0; ROWS * COLS],
            ly_window: 0,
            wy_activated_frame: false,
            mutant: 0,
        }
    }

    #[inline]
    pub fn enabled(&self) -> bool {
        self.lcdc & 0x80 != 0
    }

    pub fn set_lcdc(&mut self, v: u8) -> u8 {
        let was = self.enabled();
        self.lcdc = v;
        let now = self.enabled();
        if was && !now {
            self.clock = 0;
            self.clock_target = 0;
            self.cycles_to_frame = 0;
            self.stat.set_mode(0);
            self.ly = 0;
        } else if !was && now {
            self.clock_target = 0;
            self.first_frame = true;
            self.reset = true;
            if self.lyc_changed_while_disabled {
                self.stat_mode_override = true;
                self.lyc_changed_while_disabled = false;
            }
            if self.stat.value & 0x40 != 0 {
                return self.stat.update_lyc(self.lyc, self.ly);
            }
        }
        0
    }

    pub fn is_startup_mode2_delay(&self) -> bool {
        self.first_frame && self.stat_transition == T_START_MODE2
    }

    fn sprite_penalty(&self, ly: i64) -> i64 {
        if self.lcdc & 2 == 0 {
            return 0;
        }
        let h = if self.lcdc & 4 != 0 { 16 } else { 8 };
        let (mut count, mut groups, mut penalty) = (0, 0, 0i64);
        let mut seen = [0u64; 3];
        for i in (0..0xA0).step_by(4) {
            let y = self.oam[i] as i64 - 16;
            if y <= ly && ly < y + h {
                let x = self.oam[i + 1] as i64;
                if x < 168 {
                    penalty += 6;
                    let (slot, bit) = ((x / 64) as usize, (x % 64) as u32);
                    let dup = seen[slot] & (1 << bit) != 0;
                    seen[slot] |= 1 << bit;
                    if !dup {
                        groups += 1;
                        let align = 5 - ((x + self.scx as i64 - 8) & 7);
                        if align > 0 {
                            penalty += align;
                        }
                    }
                }
                count += 1;
                if count == 10 {
                    break;
                }
            }
        }
        if count > 0 && groups == 0 {
            return -4;
        }
        if count == 0 {
            return 0;
        }
        (penalty - 7).max(0)
    }

    fn mode3_adjustment_for(&self, ly: i64) -> i64 {
        let mut p = self.sprite_penalty(ly);
        if !self.first_frame && self.mutant & MUT_SCX_FINE == 0 {
            p += ((self.scx as i64 & 7) + 3) / 4 * 4;
        }
        p
    }

    /// Advance to absolute cycle `now`: at most one mode transition; returns interrupt flags.
    pub fn tick(&mut self, now: u64) -> u8 {
        let cycles = now.wrapping_sub(self.last_cycles);
        if cycles == 0 {
            return 0;
        }
        self.last_cycles = now;
        let mut intr = 0u8;
        self.clock = self.clock.wrapping_add(cycles);
        let en = self.enabled();
        if self.clock >= self.clock_target {
            if en && self.reset {
                self.reset = false;
                self.frame_done = true;
                self.ly = 0;
                self.clock = 0;
                self.clock_target = 76;
                self.next_stat_mode = 3;
                self.stat_transition = T_NONE;
                intr |= self.stat.set_mode(0);
                self.wy_activated_frame = self.wy == self.ly;
                intr |= self.stat.update_lyc(self.lyc, self.ly);
            } else if en && self.ly == 153 {
                if self.first_frame && self.clock_target < FRAME_CYCLES {
                    self.clock_target = FRAME_CYCLES;
                } else {
                    self.frame_done = true;
                    self.ly = 0;
                    self.clock %= FRAME_CYCLES;
                    self.first_frame = false;
                    self.clock_target = self.clock_target % FRAME_CYCLES + 80;
                    self.next_stat_mode = 3;
                    self.stat_transition = T_NONE;
                    intr |= self.stat.set_mode(2);
                    self.wy_activated_frame = self.wy == self.ly;
                    intr |= self.stat.update_lyc(self.lyc, self.ly);
                }
            } else if en && self.stat_transition == T_ADVANCE_LY {
                self.ly += 1;
                if self.first_frame {
                    self.stat.value &= 0xFB;
                    intr |= self.stat.update_irq_line();
                } else {
                    intr |= self.lyc_compare();
                }
                self.clock_target += 4;
                self.stat_transition = T_START_MODE2;
            } else if en && self.stat_transition == T_START_MODE2 {
                intr |= self.stat.set_mode(2);
                if self.first_frame {
                    intr |= self.lyc_compare();
                }
                self.clock_target += 80;
                self.next_stat_mode = 3;
                self.stat_transition = T_NONE;
                self.wy_activated_frame |= self.wy == self.ly;
            } else if en {
                intr |= self.stat.set_mode(self.next_stat_mode);
                match self.stat.mode {
                    2 => {
                        self.ly += 1;
                        self.clock_target += 80;
                        self.next_stat_mode = 3;
                        self.stat_transition = T_NONE;
                        intr |= self.lyc_compare();
                        self.wy_activated_frame |= self.wy == self.ly;
                    }
                    3 => {
                        self.mode3_adjustment = self.mode3_adjustment_for(self.ly as i64);
                        let base = if self.mutant & MUT_MODE3_LENGTH != 0 { 176 } else { 172 };
                        self.clock_target = (self.clock_target as i64 + base + self.mode3_adjustment) as u64;
                        self.next_stat_mode = 0;
                        self.stat_transition = T_NONE;
                    }
                    0 => {
                        if self.first_frame {
                            self.clock_target = (self.clock_target as i64 + 200 - self.mode3_adjustment) as u64;
                            if self.ly < 143 {
                                self.next_stat_mode = 2;
                                self.stat_transition = T_ADVANCE_LY;
                            } else {
                                self.next_stat_mode = 1;
                                self.stat_transition = T_NONE;
                            }
                        } else if self.ly < 143 {
                            self.clock_target = (self.clock_target as i64 + 200 - self.mode3_adjustment) as u64;
                            self.next_stat_mode = 2;
                            self.stat_transition = T_ADVANCE_LY;
                        } else {
                            self.clock_target = (self.clock_target as i64 + 204 - self.mode3_adjustment) as u64;
                            self.next_stat_mode = 1;
                            self.stat_transition = T_NONE;
                        }
                        let ly = self.ly as usize;
                        if ly < ROWS {
                            self.scanline_params[ly] =
                                [self.scx, self.scy, self.wx.wrapping_sub(7).wrapping_add(7), self.wy, self.lcdc & 0x10];
                            self.scanline(ly);
                            self.scanline_sprites(ly);
                        }
                    }
                    _ => {
                        self.clock_target += 456;
                        self.next_stat_mode = 1;
                        self.stat_transition = T_NONE;
                        self.ly += 1;
                        intr |= self.lyc_compare();
                        if self.ly == 144 {
                            if self.stat.value & 0x20 != 0 && !self.stat.irq_line {
                                intr |= INTR_LCDC;
                            }
                            intr |= INTR_VBLANK;
                            self.wy_activated_frame = false;
                            if self.first_frame {
                                self.blank_screen();
                            }
                        }
                    }
                }
            } else {
                self.frame_done = true;
                self.clock %= FRAME_CYCLES;
                self.clock_target = FRAME_CYCLES;
                self.blank_screen();
            }
        }
        self.cycles_to_interrupt = self.clock_target.wrapping_sub(self.clock) as i64;
        self.cycles_to_frame = FRAME_CYCLES.wrapping_sub(self.clock) as i64;
        intr
    }

    fn lyc_compare(&mut self) -> u8 {
        let ly = if self.mutant & MUT_LY_OFF_BY_ONE != 0 { self.ly.wrapping_add(1) } else { self.ly };
        self.stat.update_lyc(self.lyc, ly)
    }

    pub fn blank_screen(&mut self) {
        let c = PALETTE[(self.bgp & 3) as usize];
        self.screen.fill(c);
        self.attrs.fill(0);
    }

    #[inline]
    fn tile_row(&self, tile: usize, row: usize) -> (u8, u8) {
        let a = tile * 16 + row * 2;
        (self.vram[a], self.vram[a + 1])
    }

    #[inline]
    fn pixel_code(b1: u8, b2: u8, xx: usize) -> u8 {
        let s = 7 - xx;
        (((b2 >> s) & 1) << 1) | ((b1 >> s) & 1)
    }

    fn get_tile(&self, y: i64, x: i64, offset: usize) -> (usize, usize) {
        let addr = offset + ((y / 8 * 32) % 0x400) as usize + ((x / 8) % 32) as usize;
        let mut tile = self.vram[addr] as usize;
        if self.lcdc & 0x10 == 0 {
            tile = (tile ^ 0x80) + 128;
        }
        (tile, (y % 8) as usize)
    }

    fn scanline(&mut self, y: usize) {
        if self.disable_renderer {
            return;
        }
        let (bx, by) = (self.scx as i64, self.scy as i64);
        let wx = self.wx as i64 - 7;
        let mut x = 0i64;
        if self.lcdc & 0x20 != 0 && self.wy_activated_frame && wx < COLS as i64 {
            if self.mutant & MUT_WINDOW_LINE == 0 {
                self.ly_window += 1;
            }
            if wx > x {
                x += self.scanline_background(y, x, bx, by, wx);
            }
            self.scanline_window(y, x, wx, COLS as i64 - x);
        } else if self.lcdc & 1 != 0 {
            self.scanline_background(y, x, bx, by, COLS as i64);
        } else {
            let c = PALETTE[(self.bgp & 3) as usize];
            for x in 0..COLS {
                self.screen[y * COLS + x] = c;
                self.attrs[y * COLS + x] = 0;
            }
        }
        if y == 143 {
            self.ly_window = -1;
        }
    }

    fn scanline_background(&mut self, y: usize, x0: i64, bx: i64, by: i64, cols: i64) -> i64 {
        let offset = if self.lcdc & 0x08 == 0 { 0x1800 } else { 0x1C00 };
        let (mut b1, mut b2, mut row) = (0u8, 0u8, 0usize);
        let mut tile = 0usize;
        for x in x0..x0 + cols {
            let xx = ((x + (bx & 7)) % 8) as usize;
            if xx == 0 || x == 0 {
                let (t, r) = self.get_tile(y as i64 + by, x + bx, offset);
                tile = t;
                row = r;
                let (p, q) = self.tile_row(tile, row);
                b1 = p;
                b2 = q;
            }
            let _ = tile;
            let code = Self::pixel_code(b1, b2, xx);
            self.put(y, x as usize, code);
        }
        let _ = row;
        cols
    }

    fn scanline_window(&mut self, y: usize, x0: i64, wx: i64, cols: i64) -> i64 {
        let offset = if self.lcdc & 0x40 == 0 { 0x1800 } else { 0x1C00 };
        let (mut b1, mut b2) = (0u8, 0u8);
        for x in x0..x0 + cols {
            let xx = ((x - wx).rem_euclid(8)) as usize;
            if xx == 0 || x == x0 {
                let (t, r) = self.get_tile_window(self.ly_window as i64, x - wx, offset);
                let (p, q) = self.tile_row(t, r);
                b1 = p;
                b2 = q;
            }
            let code = Self::pixel_code(b1, b2, xx);
            self.put(y, x as usize, code);
        }
        cols
    }

    fn get_tile_window(&self, y: i64, x: i64, offset: usize) -> (usize, usize) {
        // Python floor division/modulo semantics (y may be -1 after a frame without window lines).
        let ty = y.div_euclid(8) * 32;
        let addr = offset as i64 + ty.rem_euclid(0x400) + x.div_euclid(8).rem_euclid(32);
        let mut tile = self.vram[addr as usize] as usize;
        if self.lcdc & 0x10 == 0 {
            tile = (tile ^ 0x80) + 128;
        }
        (tile, y.rem_euclid(8) as usize)
    }

    #[inline]
    fn put(&mut self, y: usize, x: usize, code: u8) {
        let color = PALETTE[((self.bgp >> (code * 2)) & 3) as usize];
        self.screen[y * COLS + x] = color;
        self.attrs[y * COLS + x] = (code == 0) as u8;
    }

    fn scanline_sprites(&mut self, ly: usize) {
        if self.lcdc & 2 == 0 || self.disable_renderer {
            return;
        }
        let h: i64 = if self.lcdc & 4 != 0 { 16 } else { 8 };
        let mut list = [0i64; 10];
        let mut n = 0usize;
        for i in (0..0xA0).step_by(4) {
            let y = self.oam[i] as i64 - 16;
            let x = self.oam[i + 1] as i64 - 8;
            if y <= ly as i64 && (ly as i64) < y + h {
                list[n] = (x << 16) | i as i64;
                n += 1;
            }
            if n == 10 {
                break;
            }
        }
        let l = &mut list[..n];
        if self.mutant & MUT_SPRITE_PRIORITY != 0 {
            l.sort();
        } else {
            l.sort_by(|a, b| b.cmp(a));
        }
        for k in 0..n {
            let i = (list[k] & 0xFF) as usize;
            let y = self.oam[i] as i64 - 16;
            let x0 = self.oam[i + 1] as i64 - 8;
            let mut tile = self.oam[i + 2] as usize;
            if h == 16 {
                tile &= 0xFE;
            }
            let attr = self.oam[i + 3];
            let dy = ly as i64 - y;
            let yy = if attr & 0x40 != 0 { h - dy - 1 } else { dy } as usize;
            let pal = if attr & 0x10 != 0 { self.obp1 } else { self.obp0 };
            let (b1, b2) = self.tile_row(tile + yy / 8, yy % 8);
            for dx in 0..8i64 {
                let x = x0 + dx;
                let xx = if attr & 0x20 != 0 { 7 - dx } else { dx } as usize;
                let code = Self::pixel_code(b1, b2, xx);
                if (0..COLS as i64).contains(&x) && code != 0 {
                    let p = ly * COLS + x as usize;
                    let color = PALETTE[((pal >> (code * 2)) & 3) as usize];
                    if attr & 0x80 != 0 {
                        if self.attrs[p] & 1 != 0 {
                            self.screen[p] = color;
                        }
                    } else {
                        self.screen[p] = color;
                    }
                }
            }
        }
    }
}
