//! "What this means": one paragraph per endpoint and server, written from
//! the numbers, so a reader who skips the charts still gets the answer.
//!
//! The sentences follow the method's order of trust: deterministic figures
//! (instructions, allocations) say *how much more work* the framework's
//! code does; CPU time per request — user and kernel together — says how
//! much that matters once the kernel's work on the socket is counted;
//! throughput and latency come last, as they are the noisiest on loopback.
//! An interval that contains 0% is said to show no detectable difference.

use crate::schema::results::Summary;
use crate::stats::RatioEstimate;

use super::{Report, comparison_name, display_name, number, percent_change};

/// The paragraphs for `endpoint`: one per server other than the baseline.
pub fn paragraphs(report: &Report, endpoint: &str) -> Vec<String> {
    // Each server against its own ecosystem's baseline (raw or node-http).
    let baseline = crate::servers::baseline_for;
    report
        .servers()
        .into_iter()
        .filter(|server| *server != baseline(server))
        .filter_map(|server| paragraph(report, endpoint, baseline(server), server))
        .collect()
}

/// Whether an interval tells the two apart.
fn detected(estimate: &RatioEstimate) -> bool {
    !(estimate.ci_low <= 1.0 && 1.0 <= estimate.ci_high)
}

fn more_or_fewer(difference: f64) -> &'static str {
    if difference >= 0.0 { "more" } else { "fewer" }
}

fn paragraph(report: &Report, endpoint: &str, baseline: &str, server: &str) -> Option<String> {
    let mine = report.summary(endpoint, server)?;
    let theirs = report.summary(endpoint, baseline)?;
    let (me, them) = (display_name(server), display_name(baseline));
    let mut sentences = Vec::new();
    // 1. Deterministic: instructions and allocations.
    let instructions = cost_sentences(
        report,
        (endpoint, baseline, server),
        (&me, &them),
        &mut sentences,
    );
    // 2. CPU per request, the kernel's work included.
    sentences.push(cpu_sentence(mine, theirs, &me, instructions));
    // 3. In-process, without sockets.
    sentences.extend(criterion_sentence(report, endpoint, baseline, server));
    // 4. Throughput and latency, the noisiest figures.
    speed_sentences(mine, theirs, &mut sentences);
    // 5. What makes the figures less trustworthy.
    caution_sentences(mine, theirs, &mut sentences);
    let text = sentences.join(" ");
    // With more than one comparison in the report, each paragraph says
    // which one it is about.
    let others = report.servers().iter().filter(|s| **s != baseline).count();
    Some(match comparison_name(server).filter(|_| others > 1) {
        Some(name) => format!("[{name}] {text}"),
        None => text,
    })
}

/// Instructions and allocations; `true` when instructions were measured
/// for both (the next sentences then refer back to them).
fn cost_sentences(
    report: &Report,
    (endpoint, baseline, server): (&str, &str, &str),
    (me, them): (&str, &str),
    sentences: &mut Vec<String>,
) -> bool {
    let my_cost = report.cost(endpoint, server);
    let their_cost = report.cost(endpoint, baseline);
    let instructions = my_cost
        .and_then(|c| c.instructions_per_request)
        .zip(their_cost.and_then(|c| c.instructions_per_request));
    if let Some((mine_i, theirs_i)) = instructions {
        let difference = mine_i - theirs_i;
        let percent = percent_change(theirs_i, mine_i).unwrap_or(0.0);
        sentences.push(format!(
            "{me} executes {} {} user-space instructions per request than {them} ({} against {}, {percent:+.1}%).",
            number(difference.abs(), 0),
            more_or_fewer(difference),
            number(mine_i, 0),
            number(theirs_i, 0),
        ));
    }
    let allocations = my_cost
        .and_then(|c| c.allocations_per_request)
        .zip(their_cost.and_then(|c| c.allocations_per_request));
    if let Some((mine_a, theirs_a)) = allocations {
        let bytes = my_cost
            .and_then(|c| c.bytes_allocated_per_request)
            .zip(their_cost.and_then(|c| c.bytes_allocated_per_request))
            .map(|(m, t)| format!(", {} bytes against {}", number(m, 0), number(t, 0)))
            .unwrap_or_default();
        let subject = if instructions.is_some() {
            "It".to_owned()
        } else {
            me.to_owned()
        };
        sentences.push(format!(
            "{subject} makes {} heap allocations per request against {}{bytes}.",
            number(mine_a, 1),
            number(theirs_a, 1)
        ));
    }

    instructions.is_some()
}

/// CPU time per request, user and kernel, with its interval.
fn cpu_sentence(mine: &Summary, theirs: &Summary, me: &str, instructions: bool) -> String {
    let cpu = mine
        .vs_baseline
        .as_ref()
        .and_then(|r| r.server_cpu_us_per_request);
    if let (Some(estimate), Some(mine_c), Some(theirs_c)) = (
        cpu,
        mine.median.server_cpu_us_per_request,
        theirs.median.server_cpu_us_per_request,
    ) {
        let lead = if instructions {
            "With the kernel's work counted, CPU time per request".to_owned()
        } else {
            format!("For {me}, CPU time per request (user and kernel)")
        };
        let verdict = if detected(&estimate) {
            String::new()
        } else {
            " — the interval contains 0%, so no difference was detected at this precision"
                .to_owned()
        };
        format!(
            "{lead} differs by {}: {} µs against {} µs{verdict}.",
            estimate.percent(),
            number(mine_c, 2),
            number(theirs_c, 2),
        )
    } else {
        format!(
            "CPU time per request was not measured for {me} (it was not launched by the harness)."
        )
    }
}

/// criterion's in-process time, when both servers have one.
fn criterion_sentence(
    report: &Report,
    endpoint: &str,
    baseline: &str,
    server: &str,
) -> Option<String> {
    let (Some(m), Some(t)) = (
        report.criterion("in_process", endpoint, server),
        report.criterion("in_process", endpoint, baseline),
    ) else {
        return None;
    };
    Some(format!(
        "Without any socket (criterion, in process) one request takes {} ns against {} ns ({:+.1}%).",
        number(m.median_ns, 0),
        number(t.median_ns, 0),
        percent_change(t.median_ns, m.median_ns).unwrap_or(0.0)
    ))
}

/// Throughput and latency against the baseline.
fn speed_sentences(mine: &Summary, theirs: &Summary, sentences: &mut Vec<String>) {
    if let Some(ratios) = &mine.vs_baseline {
        if let Some(rps) = ratios.requests_per_second {
            sentences.push(format!(
                "Throughput: {} req/s against {} ({}){}.",
                number(mine.median.requests_per_second, 0),
                number(theirs.median.requests_per_second, 0),
                rps.percent(),
                if detected(&rps) {
                    ""
                } else {
                    ", not a detectable difference"
                }
            ));
        }
        if let Some(p99) = ratios.p99_us {
            sentences.push(format!(
                "Median latency {} against {}; 99th percentile {} against {} ({}).",
                loadgen::latency::format_micros(mine.median.p50_us),
                loadgen::latency::format_micros(theirs.median.p50_us),
                loadgen::latency::format_micros(mine.median.p99_us),
                loadgen::latency::format_micros(theirs.median.p99_us),
                p99.percent()
            ));
        }
    }
}

/// Client-bound rounds, errors and non-success responses on either side.
fn caution_sentences(mine: &Summary, theirs: &Summary, sentences: &mut Vec<String>) {
    for summary in [mine, theirs] {
        if summary.client_bound_rounds > 0 {
            sentences.push(format!(
                "Caution: {} of {} rounds of {} were client-bound — the load generator, not the server, set the pace.",
                summary.client_bound_rounds,
                summary.rounds,
                display_name(&summary.server)
            ));
        }
        if summary.errors > 0 || summary.non_success_responses > 0 {
            sentences.push(format!(
                "Caution: {} saw {} errors and {} responses outside 2xx/3xx.",
                display_name(&summary.server),
                summary.errors,
                summary.non_success_responses
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    #[test]
    fn the_paragraph_states_the_extra_instructions_and_the_cpu_change() {
        let mut report = Report::new(fixtures::results(&["json"], 5));
        report.cost = Some(fixtures::cost(&["json"]));

        let text = paragraphs(&report, "json").join("\n");

        // 7,500 × 0.58 = 4,350 more instructions, +58.0%.
        assert!(
            text.contains("4,350 more user-space instructions"),
            "{text}"
        );
        assert!(text.contains("+58.0%"), "{text}");
        assert!(
            text.contains("15.0 heap allocations per request against 6.0"),
            "{text}"
        );
        assert!(text.contains("With the kernel's work counted"), "{text}");
    }

    #[test]
    fn without_cost_figures_the_paragraph_still_speaks_of_cpu_and_throughput() {
        let report = Report::new(fixtures::results(&["json"], 5));
        let text = paragraphs(&report, "json").join("\n");
        assert!(!text.contains("instructions"), "{text}");
        assert!(
            text.contains("CPU time per request (user and kernel)"),
            "{text}"
        );
        assert!(text.contains("req/s"), "{text}");
    }

    #[test]
    fn client_bound_rounds_are_called_out() {
        let mut results = fixtures::results(&["json"], 3);
        for summary in &mut results.summary {
            summary.client_bound_rounds = 2;
        }
        let text = paragraphs(&Report::new(results), "json").join("\n");
        assert!(text.contains("2 of 3 rounds"), "{text}");
    }
}
