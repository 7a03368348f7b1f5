//! Many repositories (`docs/reference/many-repositories.md`): the repository list and its FNV-1a shards (`repos`),
//! bare mirrors of clone URLs (`mirror`), and the fold of many JSON reports into one inventory
//! (`merge`). Each run is a pure function of (list, shard), so existing engines (a CI matrix,
//! GitLab `parallel`, a Kubernetes Indexed Job) spread the shards and `merge` joins them.

pub mod merge;
pub mod mirror;
pub mod repos;
