//! The reliability suite: how the servers behave when the machine around
//! them misbehaves.

mod database_faults;
