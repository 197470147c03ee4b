//! Which endpoints a command measures: catalogue names resolved to method
//! and request target, shared by `compare` and `cost`.

use anyhow::bail;

use crate::schema::results::EndpointTarget;

/// Resolves `--endpoints` entries: a catalogue name, optionally with its
/// own request target (`queries=/queries?queries=5`). Method and default
/// target come from `shared_handlers::catalogue::ENDPOINTS`, never from a
/// list of our own, so new catalogue entries work without touching this.
pub fn resolve_endpoints(
    names: &[String],
    skip_unknown: bool,
) -> anyhow::Result<Vec<EndpointTarget>> {
    let mut resolved = Vec::new();
    for entry in names {
        let (name, target) = match entry.split_once('=') {
            Some((name, target)) => (name.trim(), Some(target.trim())),
            None => (entry.trim(), None),
        };
        let Some(endpoint) = shared_handlers::catalogue::by_name(name) else {
            if skip_unknown {
                continue;
            }
            let known: Vec<&str> = shared_handlers::ENDPOINTS.iter().map(|e| e.name).collect();
            bail!(
                "unknown endpoint `{name}`; the catalogue has: {}",
                known.join(", ")
            );
        };
        resolved.push(EndpointTarget {
            name: endpoint.name.to_owned(),
            method: endpoint.method.as_str().to_owned(),
            target: target.unwrap_or(endpoint.example).to_owned(),
        });
    }
    if resolved.is_empty() {
        bail!("no endpoints to compare");
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::compare::DEFAULT_ENDPOINTS;

    #[test]
    fn endpoints_come_from_the_catalogue_with_its_example_targets() {
        let resolved = resolve_endpoints(&["queries".to_owned(), "plaintext".to_owned()], false)
            .expect("known");
        assert_eq!(resolved[0].target, "/queries?queries=20");
        assert_eq!(resolved[0].method, "GET");
        assert_eq!(resolved[1].target, "/plaintext");
    }

    #[test]
    fn an_endpoint_target_can_be_overridden() {
        let resolved =
            resolve_endpoints(&["queries=/queries?queries=5".to_owned()], false).expect("known");
        assert_eq!(resolved[0].target, "/queries?queries=5");
    }

    #[test]
    fn unknown_endpoints_are_refused_unless_they_are_optional_defaults() {
        let error = resolve_endpoints(&["nope".to_owned()], false).expect_err("unknown");
        assert!(error.to_string().contains("plaintext"));
        let defaults: Vec<String> = DEFAULT_ENDPOINTS.iter().map(|s| (*s).to_owned()).collect();
        let resolved = resolve_endpoints(&defaults, true).expect("some are known");
        assert!(resolved.len() >= 5);
    }
}
