//! `close-tui export RESOURCE [--format jsonl|csv|csv-raw]`: the active account's
//! cached records on stdout, streamed row by row (no network, no login
//! refresh: it reads the cache `sync` filled).

use std::{
    borrow::Cow,
    io::{self, BufWriter, Write},
    process::ExitCode,
};

use super::{CommandResult, fail};
use crate::{
    close::records::Resource,
    config::Settings,
    session::open_existing_store,
    store::{
        AccountId,
        cache::{Cache, Columns, ExportError},
    },
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One record per line, as Close sent it
    Jsonl,
    /// The indexed columns, with a header row; a text cell a spreadsheet
    /// would run as a formula (starting with = + - @ or a tab) gets a
    /// leading ' so it shows as text, and control characters other than
    /// line breaks and tabs are dropped
    Csv,
    /// As csv, with every cell exactly as cached (for scripts, not
    /// spreadsheets)
    CsvRaw,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// leads, contacts, opportunities, tasks or activities
    #[arg(value_parser = parse_resource)]
    pub resource: Resource,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
}

/// `lead`, `leads`, … as a [`Resource`], for clap.
pub fn parse_resource(name: &str) -> Result<Resource, String> {
    Resource::from_name(&name.to_ascii_lowercase()).ok_or_else(|| {
        format!(
            "unknown resource `{name}`; use leads, contacts, opportunities, tasks or activities"
        )
    })
}

/// Writes every cached `resource` record of `account` to `out`; returns how
/// many.
pub fn export(
    cache: &Cache,
    account: &AccountId,
    resource: Resource,
    format: Format,
    out: impl Write,
) -> Result<u64, ExportError> {
    match format {
        Format::Jsonl => {
            let mut out = BufWriter::new(out);
            let n = cache.export_raw(account, resource, |raw| {
                out.write_all(raw.as_bytes())?;
                out.write_all(b"\n")
            })?;
            out.flush()?;
            Ok(n)
        }
        Format::Csv | Format::CsvRaw => {
            let safe = format == Format::Csv;
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(Columns::of(resource))
                .map_err(io::Error::from)?;
            let n = cache.export_columns(account, resource, |fields| {
                if safe {
                    for field in fields {
                        csv.write_field(spreadsheet_safe(field).as_bytes())
                            .map_err(csv_io)?;
                    }
                    csv.write_record(None::<&[u8]>).map_err(csv_io)
                } else {
                    csv.write_record(fields).map_err(csv_io)
                }
            })?;
            csv.flush()?;
            Ok(n)
        }
    }
}

/// `field`, or `'field` when a spreadsheet would read it as a formula:
/// CRM data comes from web forms and email, and `=HYPERLINK(…)` in a
/// lead's name should not run when the export is opened. Numbers (`-5`)
/// are left alone; a phone number (`+1 555 0100`) is not a number, and
/// shows as written instead of as `#NAME?`.
/// Control characters other than line breaks and tabs go too, so a CSV
/// shown on a terminal cannot steer it.
fn spreadsheet_safe(field: &str) -> Cow<'_, str> {
    let steers = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    let field: Cow<'_, str> = if field.contains(steers) {
        Cow::Owned(field.chars().filter(|&c| !steers(c)).collect())
    } else {
        Cow::Borrowed(field)
    };
    let formula = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && field.trim().parse::<f64>().is_err() {
        Cow::Owned(format!("'{field}"))
    } else {
        field
    }
}

/// The I/O error inside a CSV error, so a closed pipe is still recognised.
fn csv_io(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(err) => err,
        other => io::Error::other(format!("{other:?}")),
    }
}

pub async fn run(settings: &Settings, args: ExportArgs) -> CommandResult {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || {
        let store = open_existing_store(&settings).map_err(fail)?;
        let account = store
            .active_account()
            .map_err(fail)?
            .ok_or_else(|| fail("not logged in: run `close-tui login` first"))?;
        let cache = store.cache().map_err(fail)?;
        if args.resource == Resource::Activities {
            // Not every activity of the account: only those of the leads
            // opened so far. Said on stderr, so the export stays clean.
            let leads = cache.leads_with_activities(account.id()).map_err(fail)?;
            note!(
                "close-tui: activities are cached per lead, when it is opened; \
                 this export holds those of {leads} lead(s)"
            );
        }
        let stdout = io::stdout().lock();
        match export(&cache, account.id(), args.resource, args.format, stdout) {
            Ok(n) => {
                tracing::info!(resource = args.resource.name(), records = n, "exported");
                Ok(ExitCode::SUCCESS)
            }
            // `close-tui export leads | head` is a normal way to stop.
            Err(ExportError::Write(err)) if err.kind() == io::ErrorKind::BrokenPipe => {
                Ok(ExitCode::SUCCESS)
            }
            Err(err) => Err(fail(err)),
        }
    })
    .await
    .map_err(fail)?
}
