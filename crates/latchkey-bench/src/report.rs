//! Samples, their median and minimum, and the printed table. Wall times are reported, never
//! asserted: the machine is shared and the numbers are for reading, not for failing a build.

use std::time::Duration;

/// One timed run.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    pub round_trips: u64,
}

/// A target from the issue, in round trips of wall time.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub max_rtts: f64,
    /// Allowance on top, e.g. 50 ms for local work after the activation's round trip.
    pub plus: Duration,
}

/// One row of the table.
pub struct Row {
    pub name: String,
    pub eligibilities: usize,
    pub samples: Vec<Sample>,
    pub target: Option<Target>,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

impl Row {
    fn wall_ms(&self) -> Vec<f64> {
        self.samples
            .iter()
            .map(|s| s.wall.as_secs_f64() * 1000.0)
            .collect()
    }

    /// Median wall time in milliseconds.
    pub fn median_ms(&self) -> f64 {
        median(self.wall_ms())
    }

    fn min_ms(&self) -> f64 {
        self.wall_ms().into_iter().fold(f64::INFINITY, f64::min)
    }

    /// Median round trips (they rarely vary; retries would show here).
    pub fn median_round_trips(&self) -> f64 {
        median(self.samples.iter().map(|s| s.round_trips as f64).collect())
    }

    fn verdict(&self, rtt: Duration) -> String {
        let Some(target) = self.target else {
            return "-".to_owned();
        };
        let budget =
            target.max_rtts * rtt.as_secs_f64() * 1000.0 + target.plus.as_secs_f64() * 1000.0;
        let plus = if target.plus.is_zero() {
            String::new()
        } else {
            format!(" + {} ms", target.plus.as_millis())
        };
        let median = self.median_ms();
        let word = if median <= budget { "met" } else { "MISSED" };
        format!(
            "<= {} RTT{plus}: {word} by {:.0} ms",
            target.max_rtts,
            (budget - median).abs()
        )
    }
}

/// Prints the rows as a Markdown table (pasteable into BENCHMARKS.md).
pub fn print_table(rows: &[Row], rtt: Duration) {
    let rtt_ms = rtt.as_secs_f64() * 1000.0;
    println!("| row | eligibilities | runs | wall median | wall min | median in RTTs | HTTP round trips | target |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    for row in rows {
        let in_rtts = if rtt.is_zero() {
            "-".to_owned()
        } else {
            format!("{:.2}", row.median_ms() / rtt_ms)
        };
        println!(
            "| {} | {} | {} | {:.1} ms | {:.1} ms | {in_rtts} | {} | {} |",
            row.name,
            row.eligibilities,
            row.samples.len(),
            row.median_ms(),
            row.min_ms(),
            row.median_round_trips(),
            row.verdict(rtt),
        );
    }
}

/// How rows named `name` grow with the tenant, relative to the smallest tenant.
pub fn print_growth(rows: &[Row], name: &str, rtt: Duration) {
    let series: Vec<&Row> = rows.iter().filter(|r| r.name == name).collect();
    let Some(first) = series.first() else { return };
    println!(
        "\nGrowth of \"{name}\" (relative to {} eligibilities):",
        first.eligibilities
    );
    for row in &series {
        println!(
            "  {:>5} eligibilities: {:>5} round trips ({:.1}x), {:.2} RTTs ({:.1}x)",
            row.eligibilities,
            row.median_round_trips(),
            row.median_round_trips() / first.median_round_trips(),
            row.median_ms() / (rtt.as_secs_f64() * 1000.0),
            row.median_ms() / first.median_ms(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ms: &[u64], target: Option<Target>) -> Row {
        Row {
            name: "r".into(),
            eligibilities: 1,
            samples: ms
                .iter()
                .map(|ms| Sample {
                    wall: Duration::from_millis(*ms),
                    round_trips: 3,
                })
                .collect(),
            target,
        }
    }

    #[test]
    fn median_and_min_of_odd_and_even_runs() {
        assert_eq!(row(&[300, 100, 200], None).median_ms(), 200.0);
        assert_eq!(row(&[300, 100, 200, 400], None).median_ms(), 250.0);
        assert_eq!(row(&[300, 100, 200], None).min_ms(), 100.0);
    }

    #[test]
    fn a_verdict_says_met_or_missed_and_by_how_much() {
        let two = Some(Target {
            max_rtts: 2.0,
            plus: Duration::ZERO,
        });
        let rtt = Duration::from_millis(100);
        assert_eq!(row(&[150], two).verdict(rtt), "<= 2 RTT: met by 50 ms");
        assert_eq!(row(&[260], two).verdict(rtt), "<= 2 RTT: MISSED by 60 ms");
        let plus = Some(Target {
            max_rtts: 1.0,
            plus: Duration::from_millis(50),
        });
        assert_eq!(
            row(&[140], plus).verdict(rtt),
            "<= 1 RTT + 50 ms: met by 10 ms"
        );
    }
}
