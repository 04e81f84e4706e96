//! EmuRust's Python module: `Emu` (one machine) and `Batch` (N machines stepped on threads with
//! the GIL released). State travels as a dict of named fields (the layout of PyBoy 2.8.1's
//! save_state, decoded by adapters/gb_state.py), so either side can be restored from the other.

pub mod cart;
pub mod gb;
pub mod lcd;
pub mod timer;

use gb::Gb;
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use rayon::prelude::*;

fn get<'py, T: FromPyObject<'py>>(d: &Bound<'py, PyDict>, k: &str) -> PyResult<T> {
    d.get_item(k)?.ok_or_else(|| PyKeyError::new_err(k.to_string()))?.extract()
}

fn put_bytes(dst: &mut [u8], src: Vec<u8>, name: &str) -> PyResult<()> {
    if src.len() != dst.len() {
        return Err(PyValueError::new_err(format!("{name}: expected {} bytes, got {}", dst.len(), src.len())));
    }
    dst.copy_from_slice(&src);
    Ok(())
}

fn state_dict<'py>(py: Python<'py>, g: &Gb) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    macro_rules! s {
        ($k:expr, $v:expr) => {
            d.set_item($k, $v)?
        };
    }
    s!("cpu.A", g.a);
    s!("cpu.F", g.f);
    s!("cpu.B", g.b);
    s!("cpu.C", g.c);
    s!("cpu.D", g.d);
    s!("cpu.E", g.e);
    s!("cpu.HL", g.hl);
    s!("cpu.SP", g.sp);
    s!("cpu.PC", g.pc);
    s!("cpu.ime", g.ime as u8);
    s!("cpu.ie_delay", g.ie_delay);
    s!("cpu.halted", g.halted as u8);
    s!("cpu.stopped", g.stopped as u8);
    s!("cpu.IE", g.inte);
    s!("cpu.queued", g.queued as u8);
    s!("cpu.IF", g.intf);
    s!("cpu.cycles", g.cycles);
    s!("mb.bootrom_enabled", g.bootrom_enabled as u8);
    s!("dma.active", g.dma_active as u8);
    s!("dma.reading", g.dma_reading as u8);
    s!("dma.source", g.dma_source);
    s!("dma.index", g.dma_index);
    s!("dma.start_cycle", g.dma_start);
    let l = &g.lcd;
    s!("mem.vram", PyBytes::new(py, &l.vram));
    s!("mem.oam", PyBytes::new(py, &l.oam));
    s!("lcd.LCDC", l.lcdc);
    s!("lcd.BGP", l.bgp);
    s!("lcd.OBP0", l.obp0);
    s!("lcd.OBP1", l.obp1);
    s!("lcd.STAT", l.stat.value);
    s!("lcd.LY", l.ly);
    s!("lcd.LYC", l.lyc);
    s!("lcd.SCY", l.scy);
    s!("lcd.SCX", l.scx);
    s!("lcd.WY", l.wy);
    s!("lcd.WX", l.wx);
    s!("lcd.object_priority_mode", l.object_priority_mode);
    let sp: Vec<u8> = l.scanline_params.iter().flat_map(|r| r.iter().copied()).collect();
    s!("lcd.scanline_params", PyBytes::new(py, &sp));
    s!("lcd.frame_done", l.frame_done as u8);
    s!("lcd.first_frame", l.first_frame as u8);
    s!("lcd.reset", l.reset as u8);
    s!("lcd.last_cycles", l.last_cycles);
    s!("lcd.clock", l.clock);
    s!("lcd.clock_target", l.clock_target);
    s!("lcd.next_stat_mode", l.next_stat_mode);
    s!("lcd.stat_transition", l.stat_transition);
    let mut scr = Vec::with_capacity(l.screen.len() * 4);
    for p in &l.screen {
        scr.extend_from_slice(&p.to_le_bytes());
    }
    s!("screen.rgba", PyBytes::new(py, &scr));
    s!("screen.attrs", PyBytes::new(py, &l.attrs));
    s!("lcd.wy_activated_frame", l.wy_activated_frame as u8);
    s!("lcd.window_line", l.ly_window);
    s!("mem.wram", PyBytes::new(py, &g.wram));
    s!("mem.unusable", PyBytes::new(py, &g.nonio));
    s!("mem.io", PyBytes::new(py, &g.io));
    s!("mem.hram", PyBytes::new(py, &g.hram));
    let t = &g.timer;
    s!("timer.DIV", t.div);
    s!("timer.TIMA", t.tima);
    s!("timer.DIV_counter", t.div_counter);
    s!("timer.TIMA_counter", t.tima_counter);
    s!("timer.TMA", t.tma);
    s!("timer.TAC", t.tac);
    s!("timer.reload_state", t.reload_state);
    s!("timer.last_cycles", t.last_cycles);
    s!("timer.cycles_to_interrupt", t.cycles_to_interrupt);
    let c = &g.cart;
    s!("cart.rombank_selected", c.rombank_selected);
    s!("cart.rambank_selected", c.rambank_selected);
    s!("cart.rambank_enabled", c.rambank_enabled as u8);
    s!("cart.memorymodel", c.memorymodel);
    s!("mem.cart_ram", PyBytes::new(py, &c.ram[..c.ram_count * 0x2000]));
    s!("cart.bank_select_register1", c.bsr1);
    s!("cart.bank_select_register2", c.bsr2);
    s!("joypad.directional", g.joy_dir);
    s!("joypad.standard", g.joy_std);
    let se = &g.serial;
    s!("serial.SB", se.sb);
    s!("serial.SC", se.sc);
    s!("serial.transfer_enabled", se.transfer_enabled);
    s!("serial.internal_clock", se.internal_clock);
    s!("serial.last_cycles", se.last_cycles);
    s!("serial.cycles_to_interrupt", se.cycles_to_interrupt);
    s!("serial.clock", se.clock);
    s!("serial.clock_target", se.clock_target);
    Ok(d)
}

fn load_dict(g: &mut Gb, d: &Bound<'_, PyDict>) -> PyResult<()> {
    g.a = get(d, "cpu.A")?;
    g.f = get(d, "cpu.F")?;
    g.b = get(d, "cpu.B")?;
    g.c = get(d, "cpu.C")?;
    g.d = get(d, "cpu.D")?;
    g.e = get(d, "cpu.E")?;
    g.hl = get(d, "cpu.HL")?;
    g.sp = get(d, "cpu.SP")?;
    g.pc = get(d, "cpu.PC")?;
    g.ime = get::<u8>(d, "cpu.ime")? != 0;
    g.ie_delay = get(d, "cpu.ie_delay")?;
    g.halted = get::<u8>(d, "cpu.halted")? != 0;
    g.halted_during_ei = false;
    g.stopped = get::<u8>(d, "cpu.stopped")? != 0;
    g.inte = get(d, "cpu.IE")?;
    g.queued = get::<u8>(d, "cpu.queued")? != 0;
    g.intf = get(d, "cpu.IF")?;
    g.cycles = get(d, "cpu.cycles")?;
    g.bootrom_enabled = get::<u8>(d, "mb.bootrom_enabled")? != 0;
    g.dma_active = get::<u8>(d, "dma.active")? != 0;
    g.dma_reading = get::<u8>(d, "dma.reading")? != 0;
    g.dma_source = get(d, "dma.source")?;
    g.dma_index = get(d, "dma.index")?;
    g.dma_start = get(d, "dma.start_cycle")?;
    let l = &mut g.lcd;
    put_bytes(&mut l.vram, get(d, "mem.vram")?, "mem.vram")?;
    put_bytes(&mut l.oam, get(d, "mem.oam")?, "mem.oam")?;
    // PyBoy's load_state goes through set_lcdc (which may schedule a restart) before the rest.
    l.set_lcdc(get(d, "lcd.LCDC")?);
    l.bgp = get(d, "lcd.BGP")?;
    l.obp0 = get(d, "lcd.OBP0")?;
    l.obp1 = get(d, "lcd.OBP1")?;
    l.stat.value = get(d, "lcd.STAT")?;
    l.stat.mode = l.stat.value & 3;
    l.stat.irq_line = false;
    l.stat.update_irq_line();
    l.ly = get(d, "lcd.LY")?;
    l.lyc = get(d, "lcd.LYC")?;
    l.scy = get(d, "lcd.SCY")?;
    l.scx = get(d, "lcd.SCX")?;
    l.wy = get(d, "lcd.WY")?;
    l.wx = get(d, "lcd.WX")?;
    l.object_priority_mode = get(d, "lcd.object_priority_mode")?;
    let sp: Vec<u8> = get(d, "lcd.scanline_params")?;
    for (i, row) in l.scanline_params.iter_mut().enumerate() {
        row.copy_from_slice(&sp[i * 5..i * 5 + 5]);
    }
    l.frame_done = get::<u8>(d, "lcd.frame_done")? != 0;
    l.first_frame = get::<u8>(d, "lcd.first_frame")? != 0;
    l.reset = get::<u8>(d, "lcd.reset")? != 0;
    l.last_cycles = get(d, "lcd.last_cycles")?;
    l.clock = get(d, "lcd.clock")?;
    l.clock_target = get(d, "lcd.clock_target")?;
    l.cycles_to_interrupt = l.clock_target.wrapping_sub(l.clock) as i64;
    l.cycles_to_frame = lcd::FRAME_CYCLES.wrapping_sub(l.clock) as i64;
    l.next_stat_mode = get(d, "lcd.next_stat_mode")?;
    l.stat_transition = get(d, "lcd.stat_transition")?;
    let scr: Vec<u8> = get(d, "screen.rgba")?;
    for (i, p) in l.screen.iter_mut().enumerate() {
        *p = u32::from_le_bytes([scr[4 * i], scr[4 * i + 1], scr[4 * i + 2], scr[4 * i + 3]]);
    }
    put_bytes(&mut l.attrs, get(d, "screen.attrs")?, "screen.attrs")?;
    l.wy_activated_frame = get::<u8>(d, "lcd.wy_activated_frame")? != 0;
    // Not part of PyBoy's save_state (the adapter models it): 0 in a fresh renderer, -1 after a rendered frame.
    l.ly_window = match d.get_item("lcd.window_line")? {
        Some(v) => v.extract()?,
        None => 0,
    };
    put_bytes(&mut g.wram, get(d, "mem.wram")?, "mem.wram")?;
    put_bytes(&mut g.nonio, get(d, "mem.unusable")?, "mem.unusable")?;
    put_bytes(&mut g.io, get(d, "mem.io")?, "mem.io")?;
    put_bytes(&mut g.hram, get(d, "mem.hram")?, "mem.hram")?;
    let t = &mut g.timer;
    t.div = get(d, "timer.DIV")?;
    t.tima = get(d, "timer.TIMA")?;
    t.div_counter = get(d, "timer.DIV_counter")?;
    t.tima_counter = get(d, "timer.TIMA_counter")?;
    t.tma = get(d, "timer.TMA")?;
    t.tac = get(d, "timer.TAC")?;
    t.reload_state = get(d, "timer.reload_state")?;
    t.last_cycles = get(d, "timer.last_cycles")?;
    t.cycles_to_interrupt = get(d, "timer.cycles_to_interrupt")?;
    let c = &mut g.cart;
    c.rombank_selected = get(d, "cart.rombank_selected")?;
    c.rambank_selected = get(d, "cart.rambank_selected")?;
    c.rambank_enabled = get::<u8>(d, "cart.rambank_enabled")? != 0;
    c.memorymodel = get(d, "cart.memorymodel")?;
    c.rombank_selected_low = 0;
    let ram: Vec<u8> = get(d, "mem.cart_ram")?;
    let n = c.ram_count * 0x2000;
    put_bytes(&mut c.ram[..n], ram, "mem.cart_ram")?;
    c.bsr1 = get(d, "cart.bank_select_register1")?;
    c.bsr2 = get(d, "cart.bank_select_register2")?;
    g.joy_dir = get(d, "joypad.directional")?;
    g.joy_std = get(d, "joypad.standard")?;
    let se = &mut g.serial;
    se.sb = get(d, "serial.SB")?;
    se.sc = get(d, "serial.SC")?;
    se.transfer_enabled = get(d, "serial.transfer_enabled")?;
    se.internal_clock = get(d, "serial.internal_clock")?;
    se.last_cycles = get(d, "serial.last_cycles")?;
    se.cycles_to_interrupt = get(d, "serial.cycles_to_interrupt")?;
    se.clock = get(d, "serial.clock")?;
    se.clock_target = get(d, "serial.clock_target")?;
    g.sound_last_cycles = g.cycles as u64;
    Ok(())
}

/// One Game Boy. `mutant` selects deliberate bugs for mutation testing (0 = none).
#[pyclass]
struct Emu {
    gb: Gb,
}

#[pymethods]
impl Emu {
    #[new]
    #[pyo3(signature = (rom, bootrom, mutant=0))]
    fn new(rom: Vec<u8>, bootrom: Vec<u8>, mutant: u32) -> PyResult<Emu> {
        let mut gb = Gb::new(rom, bootrom).map_err(PyValueError::new_err)?;
        gb.set_mutant(mutant);
        Ok(Emu { gb })
    }

    /// Run `count` frames (PyBoy.tick(count, render)): only the last one is rendered.
    #[pyo3(signature = (count=1, render=true))]
    fn tick(&mut self, py: Python<'_>, count: u32, render: bool) {
        let g = &mut self.gb;
        py.allow_threads(|| {
            for k in 0..count {
                g.frame(render && k + 1 == count);
            }
        });
    }

    /// Run frames until PC reaches one of `addrs` at an instruction boundary; true when it did.
    fn run_until(&mut self, addrs: Vec<u16>, max_frames: u32) -> bool {
        self.gb.stop_at = addrs;
        self.gb.hit = false;
        let mut n = 0;
        while !self.gb.hit && n < max_frames {
            self.gb.frame(false);
            n += 1;
        }
        self.gb.stop_at.clear();
        self.gb.hit
    }

    fn set_buttons(&mut self, mask: u8) {
        self.gb.set_buttons(mask);
    }

    fn get_state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        state_dict(py, &self.gb)
    }

    fn set_state(&mut self, d: &Bound<'_, PyDict>) -> PyResult<()> {
        load_dict(&mut self.gb, d)
    }

    /// A deep copy (save/load of EmuRust's own state).
    fn copy(&self) -> Emu {
        Emu { gb: self.gb.clone() }
    }

    fn read(&mut self, addr: u16) -> u8 {
        self.gb.read(addr)
    }

    fn screen<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let mut v = Vec::with_capacity(self.gb.lcd.screen.len() * 4);
        for p in &self.gb.lcd.screen {
            v.extend_from_slice(&p.to_le_bytes());
        }
        PyBytes::new(py, &v)
    }

    #[getter]
    fn frames(&self) -> u64 {
        self.gb.frames
    }
}

/// N machines from one cartridge, stepped together on rayon threads with the GIL released.
#[pyclass]
struct Batch {
    gbs: Vec<Gb>,
    pool: rayon::ThreadPool,
}

#[pymethods]
impl Batch {
    #[new]
    #[pyo3(signature = (emu, n, threads=0))]
    fn new(emu: &Emu, n: usize, threads: usize) -> PyResult<Batch> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(Batch { gbs: vec![emu.gb.clone(); n], pool })
    }

    /// Set each machine's buttons (one mask each), then run `count` frames on every machine.
    #[pyo3(signature = (masks, count=1, render=true))]
    fn step(&mut self, py: Python<'_>, masks: Vec<u8>, count: u32, render: bool) -> PyResult<()> {
        if masks.len() != self.gbs.len() {
            return Err(PyValueError::new_err(format!("expected {} masks, got {}", self.gbs.len(), masks.len())));
        }
        let gbs = &mut self.gbs;
        let pool = &self.pool;
        py.allow_threads(|| {
            pool.install(|| {
                gbs.par_iter_mut().zip(masks.par_iter()).for_each(|(g, &m)| {
                    g.set_buttons(m);
                    for k in 0..count {
                        g.frame(render && k + 1 == count);
                    }
                })
            })
        });
        Ok(())
    }

    fn get(&self, i: usize) -> Emu {
        Emu { gb: self.gbs[i].clone() }
    }

    fn __len__(&self) -> usize {
        self.gbs.len()
    }
}

#[pymodule]
fn emurust(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Emu>()?;
    m.add_class::<Batch>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
