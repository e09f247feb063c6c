//! [`AutosaveTask`]: a background thread that writes changed compositions every interval.
//!
//! A plain `std` thread waiting on a `Condvar`, so the crate needs no async runtime; it
//! works the same under tokio (the server) and in a CLI.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::Studio;

/// The running autosave thread. Stopping (or dropping) it ends the thread; call
/// [`Studio::flush`] afterwards at shutdown to write what changed in the last interval.
pub struct AutosaveTask {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl AutosaveTask {
    pub(crate) fn start(studio: Studio, interval: Duration) -> Self {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let signal = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("sonic-autosave".into())
            .spawn(move || run(&studio, interval, &signal))
            .expect("spawning a thread only fails when the OS is out of resources");
        AutosaveTask {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops the thread and waits for it (a write in progress finishes first).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let (flag, wake) = &*self.stop;
        *flag.lock().unwrap_or_else(|p| p.into_inner()) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the autosave thread panicked");
            }
        }
    }
}

impl Drop for AutosaveTask {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn run(studio: &Studio, interval: Duration, stop: &(Mutex<bool>, Condvar)) {
    let (flag, wake) = stop;
    let mut next = Instant::now() + interval;
    loop {
        {
            let mut stopped = flag.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if *stopped {
                    return;
                }
                let now = Instant::now();
                if now >= next {
                    break;
                }
                stopped = wake
                    .wait_timeout(stopped, next - now)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
        }
        // Errors are logged by flush; the next tick tries again.
        let _ = studio.flush();
        next += interval;
        let now = Instant::now();
        if next < now {
            next = now + interval;
        }
    }
}
