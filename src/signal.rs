//! The signals that stop a run: Ctrl-C (SIGINT), a scheduler's or a CI's
//! SIGTERM (systemd, Kubernetes, a cron wrapper's timeout), a closed
//! terminal's SIGHUP. Each stops a run the same way, and the run's exit code
//! says which: 128 + the signal's number, as a shell reports a process the
//! signal killed.

/// A signal that stops a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signal {
    /// SIGINT: Ctrl-C.
    Interrupt,
    /// SIGTERM: a scheduler or a service manager.
    Terminate,
    /// SIGHUP: the terminal closed.
    HangUp,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
            Signal::HangUp => "SIGHUP",
        }
    }

    /// 128 + the signal's number: 130, 143, 129.
    pub fn exit_code(self) -> u8 {
        let number = match self {
            Signal::Interrupt => 2,
            Signal::Terminate => 15,
            Signal::HangUp => 1,
        };
        128 + number
    }
}

/// The stop signals, caught from the moment this is made until it is
/// dropped: none of them ends the process meanwhile.
pub struct Signals {
    #[cfg(unix)]
    streams: [(Signal, tokio::signal::unix::Signal); 3],
}

impl Signals {
    /// Catches the signals; call within a tokio runtime.
    pub fn catch() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                streams: [
                    (Signal::Interrupt, signal(SignalKind::interrupt())?),
                    (Signal::Terminate, signal(SignalKind::terminate())?),
                    (Signal::HangUp, signal(SignalKind::hangup())?),
                ],
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The next signal that comes.
    pub async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        {
            let [(first, a), (second, b), (third, c)] = &mut self.streams;
            tokio::select! {
                _ = a.recv() => *first,
                _ = b.recv() => *second,
                _ = c.recv() => *third,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Interrupt
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_signal_exits_with_128_and_its_number() {
        assert_eq!(Signal::Interrupt.exit_code(), 130);
        assert_eq!(Signal::Terminate.exit_code(), 143);
        assert_eq!(Signal::HangUp.exit_code(), 129);
    }
}
