//! Facts about the machine a measurement runs on, and what the harness asks
//! of it: CPU pinning ([`pinning`]), a raised priority ([`priority`]),
//! real-time scheduling for the rounds ([`realtime`]), CPU
//! time and memory of processes from `/proc` ([`procstat`]; per thread and
//! per core: [`cpustat`]), the environment a report names ([`environment`]), the servers' executable
//! sizes ([`binaries`]), and installing a missing wrk or valgrind ([`apt`]).

pub mod apt;
pub mod binaries;
pub mod cpustat;
pub mod environment;
pub mod pinning;
pub mod priority;
pub mod procstat;
pub mod realtime;
