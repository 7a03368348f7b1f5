//! Usage evidence from systems that manage or observe keys, read offline from their exports
//! (`--usage FILE`, repeatable). Each file's format is recognised from its content. Evidence
//! never contains or needs a secret: it is joined to keys through their non-secret key ids.

pub mod aws_iam;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::error::{Error, Result};

/// What evidence says about one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUsage {
    /// The key id the evidence is about.
    pub key_id: String,
    /// The owning user or principal.
    pub user: String,
    /// When the key was created (for an IAM access key, also when it was last rotated).
    pub created: Option<Timestamp>,
    /// When it was last rotated.
    pub last_rotated: Option<Timestamp>,
    /// When it was last used, if ever.
    pub last_used: Option<Timestamp>,
    /// Whether the provider has it active.
    pub active: Option<bool>,
    /// Which export said so, for the report.
    pub source: String,
}

/// All evidence of a run, by key id.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Usage per key id.
    pub by_key_id: BTreeMap<String, KeyUsage>,
    /// Things worth telling the user (not errors), such as an export that could not be joined.
    pub notes: Vec<String>,
}

impl Evidence {
    /// Reads every evidence file. An unrecognised or malformed file is an error naming it.
    pub fn load(paths: &[PathBuf]) -> Result<Self> {
        let mut reports = Vec::new();
        let mut key_lists = Vec::new();
        for path in paths {
            let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            match detect(&text) {
                Some(Format::IamCredentialReport) => {
                    reports.push(aws_iam::parse_credential_report(path, &text)?)
                }
                Some(Format::IamAccessKeyList) => {
                    key_lists.push(aws_iam::parse_access_key_list(path, &text)?)
                }
                None => {
                    return Err(Error::Syntax {
                        path: path.clone(),
                        line: 1,
                        column: 1,
                        message: "unrecognised evidence format: expected an AWS IAM credential report (CSV) or `aws iam list-access-keys` JSON".into(),
                    })
                }
            }
        }
        Ok(aws_iam::join(&reports, &key_lists))
    }

    /// The evidence about `key_id`, if any.
    pub fn get(&self, key_id: &str) -> Option<&KeyUsage> {
        self.by_key_id.get(key_id)
    }
}

enum Format {
    IamCredentialReport,
    IamAccessKeyList,
}

fn detect(text: &str) -> Option<Format> {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with("user,arn,") {
        return Some(Format::IamCredentialReport);
    }
    if start.starts_with('{') && start.contains("\"AccessKeyMetadata\"") {
        return Some(Format::IamAccessKeyList);
    }
    None
}

/// The file name used to name evidence in reports.
pub fn source_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
