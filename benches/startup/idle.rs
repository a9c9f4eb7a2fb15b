//! CPU time and wakeups of a running process, from /proc: utime + stime
//! (in clock ticks) and the context switches of all its threads. A process
//! that sleeps until something happens shows neither.

use std::{fs, time::Duration};

/// One reading of a process's counters.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// utime + stime, in clock ticks.
    pub ticks: u64,
    /// Voluntary and involuntary context switches over all threads.
    pub switches: u64,
    pub threads: usize,
}

fn clock_ticks_per_sec() -> u64 {
    rustix::param::clock_ticks_per_second().max(1)
}

pub fn read(pid: u32) -> Option<Usage> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may
    // hold spaces: state is field 3, utime 14 and stime 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let mut switches = 0;
    let mut threads = 0;
    for task in fs::read_dir(format!("/proc/{pid}/task")).ok()?.flatten() {
        let status = fs::read_to_string(task.path().join("status")).unwrap_or_default();
        threads += 1;
        switches += status
            .lines()
            .filter(|l| l.contains("ctxt_switches:"))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum::<u64>();
    }
    Some(Usage {
        ticks: utime + stime,
        switches,
        threads,
    })
}

/// What changed between two readings `time` apart.
pub struct Idle {
    pub cpu: Duration,
    pub switches: u64,
    pub threads: usize,
    pub time: Duration,
}

impl Idle {
    pub fn between(before: Usage, after: Usage, time: Duration) -> Self {
        let ticks = after.ticks.saturating_sub(before.ticks);
        Self {
            cpu: Duration::from_millis(ticks * 1000 / clock_ticks_per_sec()),
            switches: after.switches.saturating_sub(before.switches),
            threads: after.threads,
            time,
        }
    }

    pub fn line(&self, what: &str, bytes: usize) -> String {
        let secs = self.time.as_secs_f64();
        format!(
            "{what:<44} cpu {:>4} ms in {secs:.0} s ({:.3}%), {} wakeups ({:.2}/s) over {} threads, {bytes} bytes drawn",
            self.cpu.as_millis(),
            self.cpu.as_secs_f64() * 100.0 / secs,
            self.switches,
            self.switches as f64 / secs,
            self.threads,
        )
    }
}

/// CPU time (user + system) of this process's waited-for children, from
/// /proc/self/stat (cutime + cstime), at clock-tick resolution.
pub fn children_cpu() -> Duration {
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rfind(')').map_or("", |at| &stat[at + 2..]);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = [13, 14]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 1000 / clock_ticks_per_sec())
}

/// Time on a CPU and time waiting for one (runnable, but another process
/// had the core), summed over the live threads of `pid`, from
/// /proc/PID/task/*/schedstat (nanoseconds). On a busy machine the second
/// says how much of a wall time was the machine rather than the program.
pub fn schedstat(pid: u32) -> (Duration, Duration) {
    let mut on_cpu = 0;
    let mut waiting = 0;
    let tasks = fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten();
    for task in tasks.flatten() {
        let text = fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        let mut fields = text
            .split_whitespace()
            .map(|f| f.parse::<u64>().unwrap_or(0));
        on_cpu += fields.next().unwrap_or(0);
        waiting += fields.next().unwrap_or(0);
    }
    (Duration::from_nanos(on_cpu), Duration::from_nanos(waiting))
}
