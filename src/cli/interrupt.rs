//! Ctrl-C for the whole process, seen by everyone who asks, whenever they ask.
//!
//! `tokio::signal::ctrl_c()` installs the process's SIGINT handler on first use and then only
//! wakes the futures that exist when the signal arrives. A command that creates one such future
//! per phase (resolve the seeds, then connect, then each loop turn) loses a Ctrl-C that falls
//! between two of them: the handler swallows it and nobody hears it, so the command runs on to
//! its timeout. [`Interrupt::install`] subscribes once, before any work, and keeps the fact: a
//! Ctrl-C that came before [`Interrupt::wait`] is called is still seen.

use tokio::sync::watch;

/// The process's Ctrl-C (and, with [`Interrupt::install_with_terminate`], SIGTERM), latched.
#[derive(Clone, Debug)]
pub struct Interrupt {
    fired: watch::Receiver<bool>,
}

impl Interrupt {
    /// Starts listening for Ctrl-C. Call it inside the runtime, before the command starts.
    pub fn install() -> Interrupt {
        Self::listen(false)
    }

    /// As [`install`](Self::install), and SIGTERM counts too (on unix): for the commands that
    /// run servers (`lab up`, `demo`) and must shut them down cleanly when asked to stop.
    pub fn install_with_terminate() -> Interrupt {
        Self::listen(true)
    }

    /// A handle that never fires (tests, and callers that own no terminal).
    pub fn never() -> Interrupt {
        let (tx, fired) = watch::channel(false);
        // The sender stays alive: `wait` pends instead of seeing a closed channel.
        std::mem::forget(tx);
        Interrupt { fired }
    }

    fn listen(terminate: bool) -> Interrupt {
        let (tx, fired) = watch::channel(false);
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            // `signal` subscribes now, not when first polled: nothing after this line is lost.
            if let Ok(mut int) = signal(SignalKind::interrupt()) {
                let mut term = if terminate {
                    signal(SignalKind::terminate()).ok()
                } else {
                    None
                };
                tokio::spawn(async move {
                    loop {
                        let got = match term.as_mut() {
                            Some(t) => tokio::select! {
                                s = int.recv() => s,
                                s = t.recv() => s,
                            },
                            None => int.recv().await,
                        };
                        if got.is_none() {
                            // The signal driver is gone (runtime shutting down).
                            std::future::pending::<()>().await;
                        }
                        tx.send_replace(true);
                    }
                });
                return Interrupt { fired };
            }
        }
        let _ = terminate;
        // Elsewhere (or if the unix handler could not be set): the portable listener.
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                tx.send_replace(true);
            }
            std::future::pending::<()>().await;
        });
        Interrupt { fired }
    }

    /// Whether Ctrl-C was pressed already.
    pub fn fired(&self) -> bool {
        *self.fired.borrow()
    }

    /// Completes once Ctrl-C was pressed (at once if it was pressed before this call).
    pub async fn wait(&self) {
        let mut rx = self.fired.clone();
        if rx.wait_for(|fired| *fired).await.is_err() {
            // No listener (it could not be installed): Ctrl-C keeps its default meaning.
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_signal_before_wait_is_not_lost() {
        let (tx, fired) = watch::channel(false);
        let i = Interrupt { fired };
        tx.send_replace(true);
        // Asked after the fact: it still completes.
        tokio::time::timeout(Duration::from_secs(1), i.wait())
            .await
            .expect("a past Ctrl-C is seen");
        assert!(i.fired());
        // And by every clone, every time.
        let j = i.clone();
        tokio::time::timeout(Duration::from_secs(1), j.wait())
            .await
            .expect("seen by clones too");
        drop(tx);
    }

    #[tokio::test]
    async fn never_pends() {
        let i = Interrupt::never();
        assert!(!i.fired());
        assert!(
            tokio::time::timeout(Duration::from_millis(20), i.wait())
                .await
                .is_err(),
            "Interrupt::never must not complete"
        );
    }
}
