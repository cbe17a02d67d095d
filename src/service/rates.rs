//! The rates earlier runs learned, so a lane starts where the last run of
//! its endpoint, account and Region left off instead of rediscovering from
//! [`DISCOVERY_START`](crate::submit::rate::DISCOVERY_START) every night.
//!
//! Kept in `rates.json` in wa-bulk's cache folder (`$WA_BULK_CACHE_DIR`,
//! else `$XDG_CACHE_HOME/wa-bulk`, else `~/.cache/wa-bulk`; on macOS
//! `~/Library/Caches/wa-bulk`); `WA_BULK_CACHE_DIR=` (empty) keeps none. It
//! holds, per (endpoint, account, Region) the service throttled in, the
//! rate it accepted while throttling,
//! how many requests it took at once beyond that rate (its bucket, sent
//! first next time), and when: never a credential, safe to delete. A lane
//! starts from the median of its endpoint and Region where its own measure
//! is within that median's noise (see [`RateMemory::start`]). A file that does not read
//! as this one (damaged, another program's, a newer version) is ignored
//! with a warning and replaced at the end of the run. Each run merges what
//! it learned into the file as it is then, so runs side by side lose
//! nothing but their own overlap; the oldest of more than
//! [`KEPT`] entries go.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::submit::rate::{RateFound, Start};

/// Places of one endpoint and Region that make their median worth more
/// than one place's own measure.
const PEERS: usize = 3;

/// Whether `own` differs from its peers' `median` by no more than a
/// measure from a short lane may err (a few requests either way): AWS
/// gives every account the same default limit, so such a difference is
/// noise, and one beyond it a limit of the account's own.
fn within_noise(own: f64, median: f64) -> bool {
    (own - median).abs() <= 0.25 * median
}

/// The file's format version.
const VERSION: u32 = 1;
/// The most entries kept (a thousand lanes a run leaves room for many).
pub const KEPT: usize = 10_000;

/// One lane's rate as a run left it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Learned {
    /// Requests/s.
    pub rate: f64,
    /// Whether the service throttled at it (always, as kept now; a floor
    /// of what went out is still read).
    pub measured: bool,
    /// Requests the service took at once beyond its rate.
    #[serde(default)]
    pub burst: f64,
    /// Seconds since 1970 when it was learned.
    pub at: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    wa_bulk_rates: u32,
    /// `endpoint account Region` → what was learned.
    lanes: BTreeMap<String, Learned>,
}

/// The memory of one run: what it found on disk, and what it learned.
#[derive(Debug, Default)]
pub struct RateMemory {
    /// None: keep nothing.
    path: Option<PathBuf>,
    earlier: BTreeMap<String, Learned>,
    /// The median of `earlier`'s measured places and how many there are,
    /// by `endpoint Region` and by `endpoint` alone: computed once, as
    /// every lane asks.
    medians: BTreeMap<String, (Learned, usize)>,
    learned: Mutex<BTreeMap<String, Learned>>,
    /// Why the file on disk was ignored, if it was.
    pub warnings: Vec<String>,
}

/// A lane's place in the memory.
pub fn key(endpoint: &str, account: &str, region: &str) -> String {
    let account = if account.is_empty() { "-" } else { account };
    format!("{endpoint} {account} {region}")
}

/// Where the memory lives, as the environment says.
pub fn default_path() -> Option<PathBuf> {
    let folder = match std::env::var_os("WA_BULK_CACHE_DIR") {
        Some(dir) if dir.is_empty() => return None,
        Some(dir) => PathBuf::from(dir),
        None => cache_home()?.join("wa-bulk"),
    };
    Some(folder.join("rates.json"))
}

fn cache_home() -> Option<PathBuf> {
    let home = || std::env::var_os("HOME").filter(|home| !home.is_empty()).map(PathBuf::from);
    if cfg!(target_os = "macos") {
        return home().map(|home| home.join("Library/Caches"));
    }
    if cfg!(windows) {
        return std::env::var_os("LOCALAPPDATA").map(PathBuf::from);
    }
    match std::env::var_os("XDG_CACHE_HOME") {
        Some(dir) if Path::new(&dir).is_absolute() => Some(PathBuf::from(dir)),
        _ => home().map(|home| home.join(".cache")),
    }
}

impl RateMemory {
    /// Reads the memory at `path` (none: keep nothing).
    pub fn load(path: Option<PathBuf>) -> RateMemory {
        let mut memory = RateMemory { path, ..RateMemory::default() };
        if let Some(path) = &memory.path {
            match read(path) {
                Ok(earlier) => {
                    memory.medians = medians(&earlier);
                    memory.earlier = earlier;
                }
                Err(why) => memory.warnings.push(format!(
                    "{}: {why}; ignoring the rates it holds (every lane finds its rate from the start) \
                     and replacing it at the end of the run",
                    path.display()
                )),
            }
        }
        memory
    }

    /// Where the lane of `key` starts. As the service gives every account
    /// the same default limit: the median of what the places of its
    /// endpoint and Region taught, when there are at least [`PEERS`] and
    /// the place's own measure (from a short lane, a few requests) is
    /// within the noise of it; else the place's own measure; else, with
    /// none, that median (of any Region if its own has none).
    pub fn start(&self, key: &str) -> Option<Start> {
        let start = |learned: &Learned| Start {
            rate: learned.rate,
            measured: learned.measured,
            burst: learned.burst,
        };
        let own = self.earlier.get(key);
        let Some((endpoint, region)) = endpoint_and_region(key) else { return own.map(start) };
        let peers = self.medians.get(&format!("{endpoint} {region}"));
        match (own, peers) {
            (Some(own), Some((median, count))) if *count >= PEERS && within_noise(own.rate, median.rate) => {
                Some(start(median))
            }
            (Some(own), _) => Some(start(own)),
            (None, Some((median, _))) => Some(start(median)),
            (None, None) => self.medians.get(endpoint).map(|(median, _)| start(median)),
        }
    }

    /// Keeps what the lane of `key` found, when the service throttled it
    /// (what went out unthrottled says little: the service's bucket may have
    /// let it through).
    pub fn learn(&self, key: &str, found: &RateFound) {
        let Some(rate) = found.service else { return };
        let learned = Learned { rate, measured: true, burst: found.burst.unwrap_or_default(), at: now() };
        self.learned.lock().unwrap_or_else(PoisonError::into_inner).insert(key.to_owned(), learned);
    }

    /// Merges what this run learned into the file as it is now.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else { return Ok(()) };
        let learned = std::mem::take(&mut *self.learned.lock().unwrap_or_else(PoisonError::into_inner));
        if learned.is_empty() {
            return Ok(());
        }
        let mut lanes = read(path).unwrap_or_default();
        lanes.extend(learned);
        if lanes.len() > KEPT {
            let mut ages: Vec<u64> = lanes.values().map(|learned| learned.at).collect();
            ages.sort_unstable();
            let oldest_kept = ages[ages.len() - KEPT];
            lanes.retain(|_, learned| learned.at >= oldest_kept);
        }
        let text = serde_json::to_vec_pretty(&File { wa_bulk_rates: VERSION, lanes }).expect("serialises");
        write(path, &text)
            .map_err(|error| format!("{}: cannot keep the rates learned: {error}", path.display()))
    }
}

/// The endpoint and Region of a [`key`].
fn endpoint_and_region(key: &str) -> Option<(&str, &str)> {
    match key.split(' ').collect::<Vec<_>>()[..] {
        [endpoint, _, region] => Some((endpoint, region)),
        _ => None,
    }
}

/// The median measured place of each `endpoint Region` and each `endpoint`,
/// with how many places it is the median of.
fn medians(earlier: &BTreeMap<String, Learned>) -> BTreeMap<String, (Learned, usize)> {
    let mut groups: BTreeMap<String, Vec<Learned>> = BTreeMap::new();
    for (key, learned) in earlier.iter().filter(|(_, learned)| learned.measured) {
        if let Some((endpoint, region)) = endpoint_and_region(key) {
            groups.entry(format!("{endpoint} {region}")).or_default().push(*learned);
            groups.entry(endpoint.to_owned()).or_default().push(*learned);
        }
    }
    groups
        .into_iter()
        .map(|(group, mut places)| {
            places.sort_by(|a, b| a.rate.total_cmp(&b.rate));
            (group, (places[places.len() / 2], places.len()))
        })
        .collect()
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs())
}

/// The entries of the file; none when there is no file yet.
fn read(path: &Path) -> Result<BTreeMap<String, Learned>, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(error) => return Err(format!("cannot read it: {error}")),
    };
    let file: File = serde_json::from_slice(&bytes).map_err(|_| "not a rates file of wa-bulk".to_owned())?;
    if file.wa_bulk_rates != VERSION {
        return Err(format!("a rates file of another version ({})", file.wa_bulk_rates));
    }
    let sane = |learned: &Learned| learned.rate.is_finite() && learned.rate > 0.0;
    if !file.lanes.values().all(sane) {
        return Err("a rate in it is not a positive number".into());
    }
    Ok(file.lanes)
}

/// Writes beside, then renames over: a crash never leaves half a file.
fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let temporary = crate::report::sibling(path, &format!(".{}.tmp", std::process::id()));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(service: Option<f64>, highest_sent: f64) -> RateFound {
        RateFound { service, highest_sent, ..RateFound::default() }
    }

    #[test]
    fn a_second_run_starts_where_the_first_left_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/rates.json");
        let first = RateMemory::load(Some(path.clone()));
        assert!(first.warnings.is_empty() && first.start("k").is_none());
        first.learn("throttled", &RateFound { burst: Some(4.0), ..found(Some(19.5), 30.0) });
        first.learn("quiet", &found(None, 40.0));
        first.learn("idle", &found(None, 3.0));
        first.save().unwrap();

        let second = RateMemory::load(Some(path.clone()));
        assert_eq!(second.start("throttled"), Some(Start { rate: 19.5, measured: true, burst: 4.0 }));
        assert_eq!(second.start("quiet"), None, "what went out unthrottled teaches nothing");
        assert_eq!(second.start("idle"), None);
        second.learn("other", &found(Some(5.0), 5.0));
        second.save().unwrap();
        let third = RateMemory::load(Some(path));
        assert!(third.start("throttled").is_some() && third.start("other").is_some(), "merged, not replaced");
    }

    #[test]
    fn a_damaged_or_foreign_file_is_ignored_with_a_warning_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rates.json");
        for bytes in [&b"{\"wa_bulk_rates\":1,\"lanes\":{\"k\":{\"rate\":"[..], b"[1,2,3]", b"\xff\xfe"] {
            std::fs::write(&path, bytes).unwrap();
            let memory = RateMemory::load(Some(path.clone()));
            assert!(memory.warnings[0].contains("not a rates file of wa-bulk"), "{:?}", memory.warnings);
            assert!(memory.start("k").is_none());
        }
        let negative = r#"{"wa_bulk_rates":1,"lanes":{"k":{"rate":-3,"measured":true,"at":0}}}"#;
        std::fs::write(&path, negative).unwrap();
        assert!(RateMemory::load(Some(path.clone())).warnings[0].contains("positive"));
        let memory = RateMemory::load(Some(path.clone()));
        memory.learn("k", &found(Some(7.0), 7.0));
        memory.save().unwrap();
        assert_eq!(
            RateMemory::load(Some(path)).start("k"),
            Some(Start { rate: 7.0, measured: true, burst: 0.0 })
        );
    }

    #[test]
    fn a_place_never_measured_starts_from_the_median_of_the_others_of_its_endpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rates.json");
        let memory = RateMemory::load(Some(path.clone()));
        for (account, rate) in [("1", 4.0), ("2", 5.0), ("3", 9.0)] {
            memory.learn(&key("http://e", account, "eu-west-1"), &found(Some(rate), rate));
        }
        memory.learn(&key("http://e", "1", "us-east-1"), &found(Some(50.0), 50.0));
        memory.learn(&key("http://other", "1", "ap-south-1"), &found(Some(70.0), 70.0));
        memory.save().unwrap();
        let memory = RateMemory::load(Some(path));
        assert_eq!(
            memory.start(&key("http://e", "4", "eu-west-1")).unwrap().rate,
            5.0,
            "the same Region's median"
        );
        assert_eq!(
            memory.start(&key("http://e", "4", "ap-south-1")).unwrap().rate,
            9.0,
            "any Region's (4, 5, 9, 50)"
        );
        assert_eq!(memory.start(&key("http://e", "1", "us-east-1")).unwrap().rate, 50.0, "its own first");
        assert!(memory.start(&key("http://new", "1", "us-east-1")).is_none());
    }

    #[test]
    fn a_measure_within_its_peers_noise_starts_from_their_median_one_beyond_it_from_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rates.json");
        let memory = RateMemory::load(Some(path.clone()));
        let places = [("1", 4.6, 4.2), ("2", 5.0, 5.0), ("3", 5.3, 4.8), ("4", 9.0, 9.0)];
        for (account, rate, burst) in places {
            let found = RateFound { burst: Some(burst), ..found(Some(rate), rate) };
            memory.learn(&key("http://e", account, "eu-west-1"), &found);
        }
        for (account, rate) in [("1", 4.0), ("2", 6.0)] {
            memory.learn(&key("http://e", account, "us-east-1"), &found(Some(rate), rate));
        }
        memory.save().unwrap();
        let memory = RateMemory::load(Some(path));
        let median = Some(Start { rate: 5.3, measured: true, burst: 4.8 });
        for account in ["1", "2", "3"] {
            assert_eq!(memory.start(&key("http://e", account, "eu-west-1")), median, "account {account}");
        }
        assert_eq!(memory.start(&key("http://e", "4", "eu-west-1")).unwrap().rate, 9.0, "a limit of its own");
        assert_eq!(
            memory.start(&key("http://e", "1", "us-east-1")).unwrap().rate,
            4.0,
            "two places: their own"
        );
    }

    #[test]
    fn no_path_keeps_nothing() {
        let memory = RateMemory::load(None);
        memory.learn("k", &found(Some(7.0), 7.0));
        assert!(memory.save().is_ok() && memory.start("k").is_none());
    }
}
