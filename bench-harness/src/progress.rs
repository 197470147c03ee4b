//! One progress display for a whole run: a single bar on a terminal
//! (phase, step, elapsed, estimated time left), plain lines otherwise.
//!
//! The bar counts **planned seconds**, not steps: a round of 1.2 s and a
//! callgrind process of 5 s move it by what they are expected to take, so
//! indicatif's rate-based estimate of the time left is an estimate of
//! time. Every line the harness prints during a run goes through
//! [`Progress::line`], which prints it above the bar (or alone, without
//! one), so the bar is never torn by other output.

use std::io::IsTerminal;
use std::time::Duration;

/// The run's progress; cheap to clone (one shared bar).
#[derive(Debug, Clone)]
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Default for Progress {
    /// Plain lines, no bar.
    fn default() -> Progress {
        Progress { bar: None }
    }
}

/// Milliseconds, as the bar counts.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl Progress {
    /// A bar for `planned` work when `wanted` and stderr is a terminal;
    /// plain lines otherwise.
    pub fn new(planned: Duration, wanted: bool) -> Progress {
        if !wanted || !std::io::stderr().is_terminal() {
            return Progress::default();
        }
        let bar = indicatif::ProgressBar::new(millis(planned));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "[{bar:30}] {percent:>3}%  {elapsed} elapsed, ~{eta} left  {prefix}: {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(250));
        Progress { bar: Some(bar) }
    }

    /// Whether a bar is drawn (then loadgen's own bars stay hidden).
    pub fn has_bar(&self) -> bool {
        self.bar.is_some()
    }

    /// Adds work discovered on the way (a repeated round, the cost phase).
    pub fn extend(&self, more: Duration) {
        if let Some(bar) = &self.bar {
            bar.inc_length(millis(more));
        }
    }

    /// The phase shown before the message: `compare`, `cost`.
    pub fn phase(&self, phase: &str) {
        if let Some(bar) = &self.bar {
            bar.set_prefix(phase.to_owned());
        }
    }

    /// What is being done now.
    pub fn doing(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.to_owned());
        }
    }

    /// A piece of planned work is done.
    pub fn advance(&self, planned: Duration) {
        if let Some(bar) = &self.bar {
            bar.inc(millis(planned));
        }
    }

    /// A line for the person watching: above the bar, or on stderr.
    pub fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// Removes the bar (the lines stay).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_terminal_there_is_no_bar_and_every_call_is_harmless() {
        // Tests run with stderr captured or redirected, never a terminal.
        let progress = Progress::new(Duration::from_secs(10), true);
        assert!(!progress.has_bar() || std::io::stderr().is_terminal());
        progress.phase("compare");
        progress.doing("json: raw round 1/2");
        progress.advance(Duration::from_secs(1));
        progress.extend(Duration::from_secs(1));
        progress.line("a line");
        progress.finish();
        assert!(!Progress::new(Duration::from_secs(1), false).has_bar());
    }
}
