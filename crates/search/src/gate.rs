//! A small pool of search threads, one per core, fed by one first-come-first-served
//! queue. Searches are CPU-bound: when a burst of them arrives, running each without
//! interruption and queueing the rest gives short, even waits, where letting every
//! request's thread run at once time-slices them all into long tails.

use crossbeam_channel::{Sender, unbounded};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The pool; cloning shares it.
#[derive(Clone)]
pub struct Pool {
    jobs: Sender<Job>,
}

impl Pool {
    /// Starts `threads` workers (at least one).
    pub fn new(threads: usize) -> Pool {
        let (jobs, queue) = unbounded::<Job>();
        for number in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name(format!("techex-search-{number}")).spawn(move || {
                while let Ok(job) = queue.recv() {
                    job();
                }
            });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a search thread");
            }
        }
        Pool { jobs }
    }

    /// One worker per available core.
    pub fn per_core() -> Pool {
        Pool::new(std::thread::available_parallelism().map(usize::from).unwrap_or(2))
    }

    /// Runs `work` on the pool and waits for its result (blocking the calling thread).
    pub fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (reply, answer) = crossbeam_channel::bounded(1);
        self.jobs.send(Box::new(move || drop(reply.send(work())))).ok()?;
        answer.recv().ok()
    }

    /// Runs `work` on the pool and awaits its result without blocking the async runtime.
    pub async fn run_async<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.jobs.send(Box::new(move || drop(reply.send(work())))).ok()?;
        answer.await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn no_more_than_the_workers_run_at_once() {
        let pool = Pool::new(2);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|index| {
                let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
                std::thread::spawn(move || {
                    pool.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        running.fetch_sub(1, Ordering::SeqCst);
                        index
                    })
                })
            })
            .collect();
        let mut answers: Vec<usize> = threads.into_iter().filter_map(|t| t.join().ok().flatten()).collect();
        answers.sort();
        assert_eq!(answers, (0..8).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }
}
