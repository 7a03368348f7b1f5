//! Opt-in verification of a run's inventory (`--verify`, `docs/reference/verification.md`): each
//! key asked of its own provider at most once per run, at most `--verify-concurrency` calls at
//! once, and each answer attached to its key, a live key's tier set by what its provider
//! reports. Keys no verifier covers, keys of providers `--verify-only` leaves out, and generic
//! findings are left `unknown` without a request.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::Result;

use super::collect::Watch;
use crate::cli::VerifyArgs;
use crate::error::Diagnostic;
use crate::inventory::{Inventory, Key};
use crate::verify::{self, Candidate, Companion, ConnectTo, Status, Transport, Verified};

/// How many keys of the same files a candidate is given as companions, nearest first.
const COMPANIONS: usize = 16;

/// The verification of one run: its HTTP transport, which providers it may ask, how many calls
/// at once, and every answer so far (a key in several repositories of a `--repos` run is
/// asked once).
pub struct Verifier {
    transport: Transport,
    /// `--verify-only`: the providers' names, as they spell them.
    only: Option<Vec<String>>,
    concurrency: usize,
    answers: Mutex<HashMap<String, Verified>>,
}

impl Verifier {
    /// The verifier `--verify` asks for, or `None` without it. Reads
    /// `KEYAUDIT_VERIFY_CONNECT_TO` (and `HTTPS_PROXY`): a value keyaudit refuses is an error
    /// here, before anything is read or sent.
    pub fn from_args(args: &VerifyArgs) -> Result<Option<Self>> {
        if !args.verify {
            return Ok(None);
        }
        let transport = Transport::new(ConnectTo::from_env()?)?;
        Ok(Some(Self::new(
            transport,
            (!args.verify_only.is_empty()).then(|| args.verify_only.clone()),
            usize::from(args.verify_concurrency),
        )))
    }

    /// A verifier sending through `transport`, to the providers named in `only` (all when
    /// `None`), `concurrency` calls at a time (at least one).
    pub fn new(transport: Transport, only: Option<Vec<String>>, concurrency: usize) -> Self {
        Self {
            transport,
            only,
            concurrency: concurrency.max(1),
            answers: Mutex::new(HashMap::new()),
        }
    }

    /// Gives every key of `inventory` its verification, asking the providers about the keys
    /// not asked before in this run. With `verbosity` above 1, each answer is a line to
    /// `watch` (never a secret, never a URL); above 0, a count of the answers.
    pub fn verify(&self, inventory: &mut Inventory, verbosity: u8, watch: &dyn Watch) {
        let keys = &inventory.keys;
        let mut settled: Vec<(usize, Verified)> = Vec::new();
        let mut asked: Vec<usize> = Vec::new();
        let mut not_asked = 0;
        {
            let answers = self.answers.lock().expect("answers lock");
            for (index, key) in keys.iter().enumerate() {
                match answers.get(&key.fingerprint) {
                    Some(verified) => settled.push((index, verified.clone())),
                    None => match self.not_asked(key) {
                        Some(why) => {
                            not_asked += 1;
                            settled.push((index, Verified::not_asked(why)));
                        }
                        None => asked.push(index),
                    },
                }
            }
        }
        let files = Files::of(keys);
        let jobs: Vec<(usize, Candidate<'_>)> = asked
            .iter()
            .map(|&index| {
                let key = &keys[index];
                let candidate = Candidate {
                    rule: &key.rule.id,
                    secret: &key.secret,
                    key_id: key.key_id.as_deref(),
                    account: key.account.as_deref(),
                    companions: files
                        .companions(keys, index)
                        .into_iter()
                        .map(|other| Companion {
                            rule: &keys[other].rule.id,
                            secret: &keys[other].secret,
                        })
                        .collect(),
                };
                (index, candidate)
            })
            .collect();
        let answered = self.ask(&jobs, keys, verbosity, watch);
        drop(jobs);
        if verbosity > 0 && !answered.is_empty() {
            watch.diagnose(Diagnostic::info(tally(&answered, not_asked)));
        }
        {
            let mut answers = self.answers.lock().expect("answers lock");
            for (index, verified) in &answered {
                answers.insert(keys[*index].fingerprint.clone(), verified.clone());
            }
        }
        for (index, verified) in settled.into_iter().chain(answered) {
            apply(&mut inventory.keys[index], verified);
        }
    }

    /// Why `key` is not sent to anyone, if it is not.
    fn not_asked(&self, key: &Key) -> Option<String> {
        if let Some(why) = verify::never_sent(&key.rule.id, key.rule.kind) {
            return Some(why.to_string());
        }
        let Some(provider) = verify::provider_for(&key.rule.id) else {
            return Some(format!("no verifier for rule {}", key.rule.id));
        };
        let left_out = self
            .only
            .as_ref()
            .is_some_and(|only| !only.iter().any(|name| name == provider.name()));
        left_out.then(|| format!("not asked: --verify-only leaves out {}", provider.name()))
    }

    /// Asks about every candidate of `jobs`, at most `concurrency` at once, each once.
    fn ask(
        &self,
        jobs: &[(usize, Candidate<'_>)],
        keys: &[Key],
        verbosity: u8,
        watch: &dyn Watch,
    ) -> Vec<(usize, Verified)> {
        let next = AtomicUsize::new(0);
        let answered = Mutex::new(Vec::with_capacity(jobs.len()));
        std::thread::scope(|scope| {
            for _ in 0..self.concurrency.min(jobs.len()) {
                scope.spawn(|| {
                    while let Some((index, candidate)) =
                        jobs.get(next.fetch_add(1, Ordering::Relaxed))
                    {
                        let verified = verify::verify_one(candidate, &self.transport);
                        if verbosity > 1 {
                            watch.diagnose(Diagnostic::info(progress_line(
                                &keys[*index],
                                &verified,
                            )));
                        }
                        answered
                            .lock()
                            .expect("answers lock")
                            .push((*index, verified));
                    }
                });
            }
        });
        let mut answered = answered.into_inner().expect("answers lock");
        answered.sort_by_key(|(index, _)| *index);
        answered
    }
}

/// Attaches `verified` to `key`; a live key's tier becomes the one its provider's answer
/// settles, with that answer as its evidence.
fn apply(key: &mut Key, verified: Verified) {
    if let (Some(tier), Some(provider)) = (verified.tier, verified.provider) {
        key.assessment.privilege = tier;
        key.assessment.privilege_evidence =
            verify::privilege_evidence(provider, &verified.verification);
    }
    key.verification = Some(verified.verification);
}

/// `verify: github-classic-pat at app/.env:3: GitHub api.github.com: live`: the rule, the first
/// place, the provider, the host and the answer, with the provider's note. Never a secret or
/// a URL (a provider may take the key in its path).
fn progress_line(key: &Key, verified: &Verified) -> String {
    let v = &verified.verification;
    let place = key
        .locations
        .first()
        .map(|l| format!(" at {}:{}", l.path, l.line))
        .unwrap_or_default();
    let mut line = format!(
        "verify: {}{place}: {} {}: {}",
        key.rule.id,
        verified.provider.unwrap_or("-"),
        v.endpoint.as_deref().unwrap_or("-"),
        v.status.as_str()
    );
    if let Some(note) = &v.note {
        line.push_str(&format!(" ({note})"));
    }
    line
}

/// `verify: 3 keys asked: 2 live, 1 error; 5 not asked`.
fn tally(answered: &[(usize, Verified)], not_asked: usize) -> String {
    let mut counts: Vec<String> = Vec::new();
    for status in [Status::Live, Status::Dead, Status::Unknown, Status::Error] {
        let n = answered
            .iter()
            .filter(|(_, v)| v.verification.status == status)
            .count();
        if n > 0 {
            counts.push(format!("{n} {}", status.as_str()));
        }
    }
    let asked = answered.len();
    format!(
        "verify: {asked} key{} asked: {}; {not_asked} not asked",
        if asked == 1 { "" } else { "s" },
        counts.join(", ")
    )
}

/// The keys that may be sent, by the file they are in (repository, path, commit), each file's
/// places in line order: where a key's companions are looked for.
struct Files<'a> {
    /// `(line, key index)` in line order, by file.
    places: HashMap<File<'a>, Vec<(usize, usize)>>,
}

/// A file a key is in: repository (`--repos`), path and commit (history).
type File<'a> = (Option<&'a str>, &'a str, Option<&'a str>);

impl<'a> Files<'a> {
    fn of(keys: &'a [Key]) -> Self {
        let mut places: HashMap<_, Vec<(usize, usize)>> = HashMap::new();
        for (index, key) in keys.iter().enumerate() {
            // A key never sent is never a companion either.
            if verify::never_sent(&key.rule.id, key.rule.kind).is_some() {
                continue;
            }
            for l in &key.locations {
                places
                    .entry((l.repo.as_deref(), l.path.as_str(), l.commit.as_deref()))
                    .or_default()
                    .push((l.line, index));
            }
        }
        for list in places.values_mut() {
            list.sort_unstable();
        }
        Self { places }
    }

    /// The other keys in the files of `keys[index]`, nearest by line first (ties by inventory
    /// order), at most [`COMPANIONS`].
    fn companions(&self, keys: &[Key], index: usize) -> Vec<usize> {
        let mut nearest: HashMap<usize, usize> = HashMap::new();
        for l in &keys[index].locations {
            let Some(list) =
                self.places
                    .get(&(l.repo.as_deref(), l.path.as_str(), l.commit.as_deref()))
            else {
                continue;
            };
            let at = list.partition_point(|(line, _)| *line < l.line);
            let window = &list[at.saturating_sub(COMPANIONS)..(at + COMPANIONS).min(list.len())];
            for &(line, other) in window.iter().filter(|(_, other)| *other != index) {
                let distance = line.abs_diff(l.line);
                nearest
                    .entry(other)
                    .and_modify(|d| *d = (*d).min(distance))
                    .or_insert(distance);
            }
        }
        let mut ranked: Vec<(usize, usize)> = nearest.into_iter().map(|(k, d)| (d, k)).collect();
        ranked.sort_unstable();
        ranked.truncate(COMPANIONS);
        ranked.into_iter().map(|(_, other)| other).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;
    use crate::scan::Scanner;
    use crate::source::git::CommitIndex;
    use crate::source::{Origin, SourceKind};

    fn inventory(files: &[(&str, &str)]) -> Inventory {
        let rules = RuleSet::load(true, &[]).unwrap();
        let scanner = Scanner::new(&rules);
        let findings = files
            .iter()
            .map(|(path, text)| {
                let origin = Origin {
                    source: SourceKind::File,
                    path: (*path).into(),
                    commit: None,
                    on_disk: None,
                    in_head: false,
                    inside: Default::default(),
                };
                (origin, scanner.scan(text.as_bytes()))
            })
            .collect();
        Inventory::build(&rules, b"salt", findings, &CommitIndex::new())
    }

    const GITHUB: &str = "ghp_Q7w2E9r4T1y6U3i8O5p0A2s4D6f8G1h3J5k7"; // keyaudit:allow
    const SLACK: &str = "xoxb-2385729146-4829371650-Hq8Zr2Lw5Tn7Yp3Kv9Xm1Bc4"; // keyaudit:allow
    const STRIPE: &str = "sk_live_Wq7rT9mZ2xLp5vN8bK4sYc3dHg"; // keyaudit:allow

    fn index_of(inventory: &Inventory, secret: &str) -> usize {
        inventory
            .keys
            .iter()
            .position(|k| k.secret.expose() == secret.as_bytes())
            .unwrap_or_else(|| panic!("no key of {} characters found", secret.len()))
    }

    #[test]
    fn companions_are_the_keys_of_the_same_file_nearest_first() {
        let near = format!("A={GITHUB}\n\n\n\n\n\n\nB={STRIPE}\nC={SLACK}\n");
        let inventory = inventory(&[("a.env", &near), ("b.env", &format!("X={STRIPE}\n"))]);
        let files = Files::of(&inventory.keys);
        let slack = index_of(&inventory, SLACK);
        let stripe = index_of(&inventory, STRIPE);
        let github = index_of(&inventory, GITHUB);
        assert_eq!(
            files.companions(&inventory.keys, slack),
            vec![stripe, github]
        );
        // The Stripe key is also alone in b.env: its nearest is still the Slack token of a.env.
        assert_eq!(
            files.companions(&inventory.keys, stripe),
            vec![slack, github]
        );
    }

    #[test]
    fn keys_of_other_files_and_commits_are_no_companions() {
        let inventory = inventory(&[
            ("a.env", &format!("A={GITHUB}\n")),
            ("b.env", &format!("B={STRIPE}\n")),
        ]);
        let files = Files::of(&inventory.keys);
        let github = index_of(&inventory, GITHUB);
        assert!(files.companions(&inventory.keys, github).is_empty());
    }

    #[test]
    fn the_tally_counts_answers_by_status() {
        let mut live = Verified::not_asked("x");
        live.verification.status = Status::Live;
        let answered = vec![(0, live.clone()), (1, live), (2, Verified::not_asked("y"))];
        assert_eq!(
            tally(&answered, 4),
            "verify: 3 keys asked: 2 live, 1 unknown; 4 not asked"
        );
    }

    /// Watches nothing, keeps what it is told.
    #[derive(Default)]
    struct Told(Mutex<Vec<String>>);

    impl Watch for Told {
        fn shows_progress(&self, _: &crate::config::Settings) -> bool {
            false
        }
        fn progress(
            &self,
            _: &crate::source::Stats,
            _: &AtomicUsize,
            _: &std::sync::atomic::AtomicBool,
        ) {
        }
        fn diagnose(&self, diagnostic: Diagnostic) {
            self.0.lock().unwrap().push(diagnostic.to_string());
        }
    }

    #[test]
    fn verify_only_leaves_other_providers_unasked_and_answers_are_kept_for_the_run() {
        use crate::verify::mock_http::{MockServer, Reply, Route};
        let server = MockServer::start(vec![Route::new(
            "GET",
            "/user",
            Reply::json(200, r#"{"login":"octocat"}"#).header("X-OAuth-Scopes", "repo"),
        )]);
        let transport = || {
            let to = ConnectTo::parse(&server.addr()).unwrap();
            Transport::with_timeout(Some(to), crate::verify::testing::SHORT).unwrap()
        };
        let text = format!("A={GITHUB}\n");
        let told = Told::default();

        let left_out = Verifier::new(transport(), Some(vec!["Slack".into()]), 2);
        let mut found = inventory(&[("a.env", &text)]);
        left_out.verify(&mut found, 3, &told);
        let v = found.keys[0].verification.as_ref().unwrap();
        assert_eq!(v.status, Status::Unknown);
        assert_eq!(
            v.note.as_deref(),
            Some("not asked: --verify-only leaves out GitHub")
        );
        assert!(server.received().is_empty());
        assert!(
            told.0.lock().unwrap().is_empty(),
            "nobody asked, nothing said"
        );

        let github = Verifier::new(transport(), Some(vec!["GitHub".into()]), 2);
        for _ in 0..2 {
            let mut found = inventory(&[("a.env", &text)]);
            github.verify(&mut found, 3, &told);
            let key = &found.keys[0];
            assert_eq!(key.verification.as_ref().unwrap().status, Status::Live);
            assert_eq!(key.assessment.privilege, crate::rules::Tier::Full);
            assert!(key
                .assessment
                .privilege_evidence
                .starts_with("verified per GitHub"));
        }
        // The second inventory of the run (another repository) reused the answer.
        assert_eq!(server.received().len(), 1);
        let said = told.0.lock().unwrap().clone();
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said.iter().all(|line| !line.contains(GITHUB)), "{said:?}");
    }
}
