//! How typed text becomes a query, and how the query's words match the
//! index's tokenizer.

use super::*;

#[test]
fn typed_text_becomes_quoted_prefix_terms() {
    assert_eq!(fts_query("acme"), Some("\"acme\"*".to_owned()));
    assert_eq!(
        fts_query("  Blue sun\" OR x"),
        Some("\"Blue\"* \"sun\"* \"OR\"* \"x\"*".to_owned())
    );
    assert_eq!(
        fts_query("pedro.young@ini"),
        Some("\"pedro\"* \"young\"* \"ini\"*".to_owned())
    );
    assert_eq!(fts_query("(954) 555-92"), Some("\"95455592\"*".to_owned()));
    // A vowel sign parts words for the index's tokenizer, so for the
    // query too: one quoted term holding it would be a phrase.
    assert_eq!(fts_query("दीपक"), Some("\"द\"* \"पक\"*".to_owned()));
    assert_eq!(fts_query(" *:- "), None);
    assert_eq!(fts_query(""), None);
}

#[test]
fn a_contact_matches_when_every_term_starts_one_of_its_words() {
    let t = terms("ann lee");
    assert!(matches_all(&t, &[Some("Ann Lee"), None]));
    assert!(matches_all(&t, &[Some("Annie"), Some("lee@x.test")]));
    assert!(!matches_all(&t, &[Some("Ann Smith"), Some("ann@x.test")]));
    assert!(matches_all(&terms("JOSE"), &[Some("José Núñez")]));
    assert!(matches_all(&terms("nun"), &[Some("José Núñez")]));
    // Phones by their digits, also without the country code.
    let phone = Some("+1 (954) 555-9201");
    assert!(matches_all(&terms("(954) 555"), &[None, phone]));
    assert!(matches_all(&terms("1954555"), &[phone]));
    assert!(!matches_all(&terms("555 92"), &[Some("Bo"), phone]));
    assert!(terms(" *:- ").is_empty());
    // A base letter and a combining accent, composed or not.
    let decomposed = "Maria Nu\u{301}n\u{303}ez";
    assert!(matches_all(&terms("nunez"), &[Some(decomposed)]));
    assert!(matches_all(&terms(decomposed), &[Some("María Núñez")]));
}

/// Every character the query keeps inside a word, the index's
/// tokenizer keeps inside one too: where it parts a word the query
/// does not, the term is a phrase, which this index refuses, and the
/// search fails. (Where the query parts a word the index does not, a
/// search only finds less.)
#[test]
fn the_query_parts_words_where_the_index_does() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2');
         CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');",
    )
    .unwrap();
    let chars: Vec<char> = (0x80..=0x10_FFFF_u32)
        .filter_map(char::from_u32)
        .filter(|c| is_word_char(*c))
        .collect();
    const WORDS: usize = 4096;
    for (row, chunk) in chars.chunks(WORDS).enumerate() {
        let text: Vec<String> = chunk.iter().map(|c| format!("q{c}z")).collect();
        conn.execute(
            "INSERT INTO t (rowid, x) VALUES (?1, ?2)",
            params![row as i64, text.join(" ")],
        )
        .unwrap();
    }
    // Each word starts a token with `q`; a token `z` alone is the end
    // of a word the tokenizer parted.
    let mut stmt = conn
        .prepare("SELECT doc, term FROM v ORDER BY doc, offset")
        .unwrap();
    let mut parted = Vec::new();
    let (mut doc, mut word) = (-1_i64, 0_usize);
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .unwrap();
    for row in rows {
        let (at, term) = row.unwrap();
        if at != doc {
            (doc, word) = (at, usize::MAX);
        }
        if term.starts_with('q') {
            word = word.wrapping_add(1);
        }
        if term == "z" {
            parted.push(chars[doc as usize * WORDS + word]);
        }
    }
    assert!(parted.is_empty(), "the index parts words at {parted:?}");
}
