//! Shrinking: the smallest request that still shows a finding.
//!
//! Greedy and bounded: try each simplification of the request (drop a
//! header, drop or halve the body, drop the query or one of its pairs, drop
//! a path segment, use `GET`), keep the first that still shows a finding of
//! the same signature, start over; stop when none does or after
//! [`MAX_TRIES`] exchanges. Every try runs on one pair of fresh servers, kept
//! per thread for all shrinking (their state drifts only by what the tries
//! write, which rarely matters for a request-parsing finding).

use std::cell::RefCell;

use super::exchange::{Built, Pair};
use super::generate::FuzzRequest;
use super::judge::{judge, signature};

/// The most exchanges one shrink may use.
const MAX_TRIES: usize = 300;

thread_local! {
    static PAIR: RefCell<Option<Pair>> = const { RefCell::new(None) };
}

/// A smaller request with the same finding signature as `request`, or
/// `None` if `request` itself shows nothing on fresh servers.
pub fn shrink(runtime: &tokio::runtime::Runtime, request: &FuzzRequest) -> Option<FuzzRequest> {
    PAIR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Pair::open().ok();
        }
        let pair = slot.as_ref()?;
        let shows = |candidate: &FuzzRequest| -> Option<String> {
            let built = Built::new(candidate)?;
            let (raw, framework) = runtime.block_on(pair.exchange(&built));
            let (kind, details) = judge(&built, &raw, &framework)?;
            Some(signature(candidate, kind, &details))
        };
        let wanted = shows(request)?;
        let mut current = request.clone();
        let mut tries = 1;
        'progress: while tries < MAX_TRIES {
            for candidate in simpler(&current) {
                tries += 1;
                if shows(&candidate).as_deref() == Some(wanted.as_str()) {
                    current = candidate;
                    continue 'progress;
                }
                if tries >= MAX_TRIES {
                    break 'progress;
                }
            }
            break;
        }
        Some(current)
    })
}

/// Every one-step simplification of `request`, smallest change last.
fn simpler(request: &FuzzRequest) -> Vec<FuzzRequest> {
    let mut candidates = Vec::new();
    let with = |change: &dyn Fn(&mut FuzzRequest)| {
        let mut candidate = request.clone();
        change(&mut candidate);
        candidate
    };
    for index in 0..request.headers.len() {
        candidates.push(with(&|r| {
            r.headers.remove(index);
        }));
    }
    if !request.body.is_empty() {
        candidates.push(with(&|r| r.body.clear()));
        candidates.push(with(&|r| r.body.truncate(r.body.len() / 2)));
    }
    if let Some((path, query)) = request.target.split_once('?') {
        candidates.push(with(&|r| r.target = path.to_owned()));
        let pairs: Vec<&str> = query.split('&').collect();
        for index in 0..pairs.len() {
            let mut kept = pairs.clone();
            kept.remove(index);
            candidates.push(with(&|r| r.target = format!("{path}?{}", kept.join("&"))));
        }
    }
    let (path, query) = match request.target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (request.target.as_str(), None),
    };
    let segments: Vec<&str> = path.split('/').collect();
    for index in 1..segments.len() {
        let mut kept = segments.clone();
        kept.remove(index);
        let mut shorter = kept.join("/");
        if !shorter.starts_with('/') {
            shorter.insert(0, '/');
        }
        if let Some(query) = query {
            shorter = format!("{shorter}?{query}");
        }
        if shorter != request.target {
            candidates.push(with(&|r| r.target = shorter.clone()));
        }
    }
    if request.method != "GET" {
        candidates.push(with(&|r| r.method = "GET".to_owned()));
    }
    candidates.retain(|candidate| candidate != request);
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_simplification_is_smaller_in_one_part() {
        let request = FuzzRequest {
            method: "POST".into(),
            target: "/a/b?x=1&y=2".into(),
            headers: vec![("host".into(), b"h".to_vec())],
            body: b"body".to_vec(),
        };

        let candidates = simpler(&request);

        let targets: Vec<&str> = candidates.iter().map(|c| c.target.as_str()).collect();
        assert!(targets.contains(&"/a/b"));
        assert!(targets.contains(&"/a/b?y=2"));
        assert!(targets.contains(&"/b?x=1&y=2"));
        assert!(candidates.iter().any(|c| c.headers.is_empty()));
        assert!(candidates.iter().any(|c| c.body.is_empty()));
        assert!(candidates.iter().any(|c| c.method == "GET"));
        assert!(candidates.iter().all(|c| *c != request));
    }
}
