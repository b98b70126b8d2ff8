//! Places an alert or a provider's status post can name: cloud regions by code (`us-east-1`),
//! by the short form cluster names use (`use1`, `euw1`) and by city (`N. Virginia`, `Sydney`).
//! Two texts that name the same region are about the same place, however each spells it.

use sremesh_core::text::contains_word;

/// One AWS region: its code, the short form (`use1`), and the places it is named after.
struct Region {
    code: &'static str,
    short: &'static str,
    names: &'static [&'static str],
}

#[rustfmt::skip]
const REGIONS: &[Region] = &[
    Region { code: "us-east-1", short: "use1", names: &["N. Virginia", "Northern Virginia", "Virginia"] },
    Region { code: "us-east-2", short: "use2", names: &["Ohio"] },
    Region { code: "us-west-1", short: "usw1", names: &["N. California", "Northern California"] },
    Region { code: "us-west-2", short: "usw2", names: &["Oregon"] },
    Region { code: "ca-central-1", short: "cac1", names: &["Canada Central", "Montreal"] },
    Region { code: "ca-west-1", short: "caw1", names: &["Calgary"] },
    Region { code: "sa-east-1", short: "sae1", names: &["São Paulo", "Sao Paulo"] },
    Region { code: "eu-west-1", short: "euw1", names: &["Ireland", "Dublin"] },
    Region { code: "eu-west-2", short: "euw2", names: &["London"] },
    Region { code: "eu-west-3", short: "euw3", names: &["Paris"] },
    Region { code: "eu-central-1", short: "euc1", names: &["Frankfurt"] },
    Region { code: "eu-central-2", short: "euc2", names: &["Zurich"] },
    Region { code: "eu-north-1", short: "eun1", names: &["Stockholm"] },
    Region { code: "eu-south-1", short: "eus1", names: &["Milan"] },
    Region { code: "eu-south-2", short: "eus2", names: &["Spain"] },
    Region { code: "ap-southeast-1", short: "apse1", names: &["Singapore"] },
    Region { code: "ap-southeast-2", short: "apse2", names: &["Sydney"] },
    Region { code: "ap-southeast-3", short: "apse3", names: &["Jakarta"] },
    Region { code: "ap-southeast-4", short: "apse4", names: &["Melbourne"] },
    Region { code: "ap-northeast-1", short: "apne1", names: &["Tokyo"] },
    Region { code: "ap-northeast-2", short: "apne2", names: &["Seoul"] },
    Region { code: "ap-northeast-3", short: "apne3", names: &["Osaka"] },
    Region { code: "ap-south-1", short: "aps1", names: &["Mumbai"] },
    Region { code: "ap-south-2", short: "aps2", names: &["Hyderabad"] },
    Region { code: "ap-east-1", short: "ape1", names: &["Hong Kong"] },
    Region { code: "me-south-1", short: "mes1", names: &["Bahrain"] },
    Region { code: "me-central-1", short: "mec1", names: &["UAE"] },
    Region { code: "il-central-1", short: "ilc1", names: &["Tel Aviv"] },
    Region { code: "af-south-1", short: "afs1", names: &["Cape Town"] },
];

/// A region `text` names, as its code, with the words it was named by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The region code (`ap-southeast-2`).
    pub region: &'static str,
    /// How the text named it (`Sydney`, `use1`, `ap-southeast-2`).
    pub named: String,
}

/// True when `short` (`use1`) is one `-`/`_`/`.` component of a token of `text`
/// (`prod-use1-main`).
fn has_component(text: &str, short: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric()))
        .any(|part| part.eq_ignore_ascii_case(short))
}

/// Every region `text` names (by code, short form or city), in table order.
pub fn places(text: &str) -> Vec<Place> {
    let mut out = Vec::new();
    for r in REGIONS {
        let named = if contains_word(text, r.code) {
            Some(r.code.to_owned())
        } else if has_component(text, r.short) {
            Some(r.short.to_owned())
        } else {
            r.names
                .iter()
                .find(|n| contains_word(text, n))
                .map(|n| (*n).to_owned())
        };
        if let Some(named) = named {
            out.push(Place {
                region: r.code,
                named,
            });
        }
    }
    out
}

/// True when `word` is a place name of the table (`Sydney`, `Ireland`).
pub fn is_place_name(word: &str) -> bool {
    REGIONS
        .iter()
        .any(|r| r.names.iter().any(|n| n.eq_ignore_ascii_case(word.trim())))
}
