//! A size and speed check of the lead page path; ignored by default since
//! it generates 100,000 leads. Run it with `--ignored --nocapture`.

use std::time::Instant;

use futures_util::FutureExt;

use super::{json::LeadView, page::Page, params::Paging};
use crate::sandbox::data::Dataset;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
#[ignore = "slow: 100,000 leads"]
fn hundred_thousand_leads_size_and_page_speed() {
    let start = Instant::now();
    let ds = Dataset::generate(1, 100_000);
    let generated = start.elapsed();
    let start = Instant::now();
    let mut bytes = 0;
    for n in 0..200 {
        let paging = Paging {
            skip: n * 100,
            limit: 100,
        };
        let page = Page::from_slice(&ds.org_index(0).leads_by_created, true, paging, false);
        let response = page.respond(|row| LeadView {
            ds: &ds,
            row,
            fields: None,
        });
        let body = response.map(|r| r.into_body()).ok();
        bytes += axum::body::to_bytes(body.unwrap_or_default(), usize::MAX)
            .now_or_never()
            .and_then(Result::ok)
            .map_or(0, |b| b.len());
    }
    let paged = start.elapsed();
    eprintln!(
        "generate: {generated:?}; 200 pages of 100: {paged:?} ({bytes} bytes); peak RSS {:?} KiB; \
         activities {}, contacts {}",
        peak_rss_kib(),
        ds.activities().len(),
        ds.contacts().len()
    );
}
