//! The live progress bar of a load run.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::config::LoadConfig;
use crate::connection::Control;

/// The live progress bar: drawn on stderr when it is a terminal and the
/// user did not ask for quiet; otherwise hidden (indicatif draws nothing).
#[derive(Debug)]
pub(crate) struct Progress {
    bar: indicatif::ProgressBar,
    run_start: Instant,
    warmup: Duration,
}

impl Progress {
    pub(crate) fn new(config: &LoadConfig, run_start: Instant) -> Progress {
        use std::io::IsTerminal;
        let total = config.warmup + config.duration;
        let bar = if config.progress && std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total.as_millis() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{bar:30}] {elapsed:>3} / {prefix}  {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_prefix(humantime::format_duration(total).to_string());
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        Progress {
            bar,
            run_start,
            warmup: config.warmup,
        }
    }

    pub(crate) fn tick(&self, control: &Control) {
        if self.bar.is_hidden() {
            return;
        }
        let elapsed = self.run_start.elapsed();
        let done = control.progress.load(Ordering::Relaxed);
        let phase = if elapsed < self.warmup {
            "warm-up"
        } else {
            "measuring"
        };
        self.bar.set_position(elapsed.as_millis() as u64);
        self.bar.set_message(format!(
            "{phase}: {done} responses, {:.0} req/s",
            done as f64 / elapsed.as_secs_f64().max(1e-3)
        ));
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
