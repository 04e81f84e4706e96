//! DIV/TIMA/TMA/TAC, ticked lazily to an absolute cycle count like PyBoy's timer: a fast path
//! that advances arithmetically, a per-cycle path around a TIMA overflow and its 4+4 cycle reload.

pub const MAX_CYCLES: i64 = 1 << 31;
const DIVIDERS: [u32; 4] = [10, 4, 6, 8];

#[derive(Clone, Default)]
pub struct Timer {
    pub div: u64,
    pub tima: u64,
    pub div_counter: u64,
    pub tima_counter: u64,
    pub tma: u64,
    pub tac: u64,
    pub reload_state: u8,
    pub cycles_to_interrupt: i64,
    pub last_cycles: u64,
    /// Test-only deliberate bug (MUT_TIMER_RELOAD): reload 0 instead of TMA on overflow.
    pub reload_zero: bool,
}

impl Timer {
    fn timer_bit(tac: u64) -> u64 {
        1u64 << (DIVIDERS[(tac & 3) as usize] - 1)
    }

    /// A write to DIV: a falling edge of the selected bit counts once, then the counter clears.
    pub fn reset(&mut self) {
        let bit = Self::timer_bit(self.tac) & 0xFFFF;
        if self.tac & 4 != 0 && self.div_counter & bit != 0 {
            self.increase_tima();
        }
        self.div_counter = 0;
        self.div = 0;
    }

    fn increase_tima(&mut self) {
        self.tima += 1;
        if self.tima > 0xFF {
            self.tima = if self.reload_zero { 0 } else { self.tma };
            self.reload_state = 1;
            self.tima_counter = 4;
        }
    }

    pub fn write_tima(&mut self, v: u8) {
        if self.reload_state != 2 {
            self.tima = v as u64;
        }
    }

    pub fn write_tma(&mut self, v: u8) {
        self.tma = v as u64;
        if self.reload_state != 0 {
            self.tima = v as u64;
        }
    }

    pub fn write_tac(&mut self, v: u8) {
        let old_bit = Self::timer_bit(self.tac) & 0xFFFF;
        let new_bit = Self::timer_bit(v as u64) & 0xFFFF;
        if self.tac & 4 != 0 && self.div_counter & old_bit != 0 && ((v & 4) == 0 || self.div_counter & new_bit == 0) {
            self.increase_tima();
        }
        self.tac = (v & 7) as u64;
    }

    pub fn read_tima(&self) -> u8 {
        if self.reload_state == 1 {
            0
        } else {
            self.tima as u8
        }
    }

    /// Advance to absolute cycle `now`; true when the TIMA interrupt is raised.
    pub fn tick(&mut self, now: u64) -> bool {
        let mut cycles = now.wrapping_sub(self.last_cycles);
        if cycles == 0 {
            return false;
        }
        self.last_cycles = now;
        let bit = Self::timer_bit(self.tac) & 0xFFFF;
        if self.reload_state == 0 {
            if self.tac & 4 != 0 {
                let period = bit * 2;
                let start = self.div_counter;
                let end = start.wrapping_add(cycles);
                let incs = (end / period).wrapping_sub(start / period);
                if self.tima.wrapping_add(incs) <= 0xFF {
                    self.tima += incs;
                    self.div_counter = end & 0xFFFF;
                    self.div = self.div_counter >> 8;
                    let next_edge = ((self.div_counter & !(period - 1)) + period) - self.div_counter;
                    self.cycles_to_interrupt = (next_edge + (0xFF - self.tima) * period) as i64;
                    return false;
                }
            } else {
                self.div_counter = (self.div_counter + cycles) & 0xFFFF;
                self.div = self.div_counter >> 8;
                self.cycles_to_interrupt = MAX_CYCLES;
                return false;
            }
        }
        let mut ret = false;
        while cycles > 0 {
            if self.reload_state != 0 {
                self.tima_counter = self.tima_counter.wrapping_sub(1);
                if self.tima_counter == 0 {
                    if self.reload_state == 1 {
                        self.reload_state = 2;
                        self.tima_counter = 4;
                        ret = true;
                    } else {
                        self.reload_state = 0;
                    }
                }
            }
            let counter = self.div_counter & 0xFFFF;
            let new_counter = (counter + 1) & 0xFFFF;
            if self.tac & 4 != 0 && counter & bit != 0 && new_counter & bit == 0 {
                self.increase_tima();
            }
            self.div_counter = new_counter;
            self.div = new_counter >> 8;
            cycles -= 1;
        }
        if self.tac & 4 != 0 {
            let period = bit * 2;
            let next_edge = ((self.div_counter & !(period - 1)) + period) - self.div_counter;
            let mut c = (next_edge + (0xFFu64.wrapping_sub(self.tima)).wrapping_mul(period)) as i64;
            if self.reload_state == 1 {
                c = c.min(self.tima_counter as i64);
            }
            self.cycles_to_interrupt = c;
        } else {
            self.cycles_to_interrupt = MAX_CYCLES;
        }
        ret
    }
}
