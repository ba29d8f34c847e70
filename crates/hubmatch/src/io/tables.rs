//! District data from tables: the one place that maps rows and columns to the
//! model, shared by CSV files ([`super::csv`]) and data frames (the Python
//! binding reads Arrow tables through the same [`Table`] trait).
//!
//! | table | columns (required in bold) |
//! |---|---|
//! | communities | **id**, name, population |
//! | cells | **id**, **community**, **x**, **y** |
//! | categories | **id**, name, **value** |
//! | needs | **id**, **community**, **category**, **units**, cell, priority, vulnerability, skills, `window_start`, `window_end`, budget |
//! | providers | **id**, **kind**, name, home, `service_area` (`home`, `district` or `c1;c2`), cell, skills, availability (`480-720;900-1000`), capacity, quotas (`c1=10;c2=5`) |
//! | offers | **provider**, **category**, **capacity**, `unit_cost`, price, quality |
//!
//! Lists (vulnerability, skills, service areas) are `;`-separated text or,
//! where the table has them, list columns. Empty and null cells mean absent.
//! Without a communities table, communities are the ones named by needs and
//! providers, in order of first appearance.

use std::collections::{BTreeMap, HashMap};

use crate::error::{Error, Result};
use crate::model::{
    Community, District, GridCell, Need, Offer, Provider, ProviderKind, ServiceArea,
    ServiceCategory, TimeWindow,
};

/// A table of district data: named columns, rows of cells.
pub trait Table {
    /// Name used in messages (`needs.csv`, `needs`).
    fn name(&self) -> &str;
    /// Number of rows.
    fn rows(&self) -> usize;
    /// Whether the column exists.
    fn has_column(&self, column: &str) -> bool;
    /// Where a row is, for messages (`line 5`, `row 3`).
    fn locate(&self, row: usize) -> String;
    /// Text of a cell; `None` when empty or null.
    fn text(&self, column: &str, row: usize) -> Result<Option<String>>;
    /// Integer in a cell; `None` when empty or null.
    fn int(&self, column: &str, row: usize) -> Result<Option<i64>>;
    /// Real number in a cell; `None` when empty or null.
    fn real(&self, column: &str, row: usize) -> Result<Option<f64>>;
    /// A list cell; by default `;`-separated text.
    fn list(&self, column: &str, row: usize) -> Result<Vec<String>> {
        Ok(self
            .text(column, row)?
            .map(|s| {
                s.split(';')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// The error for one cell of a table.
pub fn cell_error(
    table: &dyn Table,
    row: usize,
    column: &str,
    message: impl std::fmt::Display,
) -> Error {
    Error::Parse {
        source_name: table.name().to_owned(),
        message: format!("{}: column {column:?}: {message}", table.locate(row)),
    }
}

/// The tables of one district.
pub struct DistrictTables<'a> {
    /// Communities (optional: derived from needs and providers when absent).
    pub communities: Option<&'a dyn Table>,
    /// Grid cells (optional).
    pub cells: Option<&'a dyn Table>,
    /// Declared categories (optional).
    pub categories: Option<&'a dyn Table>,
    /// Needs.
    pub needs: &'a dyn Table,
    /// Providers.
    pub providers: &'a dyn Table,
    /// Offers.
    pub offers: &'a dyn Table,
}

fn require(t: &dyn Table, columns: &[&str]) -> Result<()> {
    for c in columns {
        if !t.has_column(c) {
            return Err(Error::Parse {
                source_name: t.name().to_owned(),
                message: format!("missing required column {c:?}"),
            });
        }
    }
    Ok(())
}

fn text(t: &dyn Table, column: &str, row: usize) -> Result<String> {
    t.text(column, row)?
        .ok_or_else(|| cell_error(t, row, column, "must not be empty"))
}

fn int(t: &dyn Table, column: &str, row: usize) -> Result<i64> {
    t.int(column, row)?
        .ok_or_else(|| cell_error(t, row, column, "must not be empty"))
}

fn real(t: &dyn Table, column: &str, row: usize) -> Result<f64> {
    t.real(column, row)?
        .ok_or_else(|| cell_error(t, row, column, "must not be empty"))
}

fn opt_text(t: &dyn Table, column: &str, row: usize) -> Result<Option<String>> {
    if t.has_column(column) {
        t.text(column, row)
    } else {
        Ok(None)
    }
}

fn opt_int(t: &dyn Table, column: &str, row: usize) -> Result<Option<i64>> {
    if t.has_column(column) {
        t.int(column, row)
    } else {
        Ok(None)
    }
}

fn opt_real(t: &dyn Table, column: &str, row: usize) -> Result<Option<f64>> {
    if t.has_column(column) {
        t.real(column, row)
    } else {
        Ok(None)
    }
}

fn opt_list(t: &dyn Table, column: &str, row: usize) -> Result<Vec<String>> {
    if t.has_column(column) {
        t.list(column, row)
    } else {
        Ok(Vec::new())
    }
}

fn window(t: &dyn Table, row: usize, column: &str, text: &str) -> Result<TimeWindow> {
    let (a, b) = text
        .split_once('-')
        .ok_or_else(|| cell_error(t, row, column, format!("window {text:?} is not START-END")))?;
    let parse = |s: &str| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| cell_error(t, row, column, format!("cannot read {text:?}")))
    };
    Ok(TimeWindow {
        start: parse(a)?,
        end: parse(b)?,
    })
}

/// Builds a district (not yet validated) from its tables.
///
/// ```
/// // The CSV reader is one user of this function.
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let dir = std::env::temp_dir().join(format!("hubmatch-doc-tables-{}", std::process::id()));
/// hubmatch::io::csv::write_district_dir(&d, &dir).unwrap();
/// assert_eq!(hubmatch::io::csv::read_district_dir(&dir).unwrap().providers, d.providers);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[allow(clippy::too_many_lines)]
pub fn district_from_tables(id: &str, t: &DistrictTables<'_>) -> Result<District> {
    let mut district = District::new(id);
    if let Some(c) = t.communities {
        require(c, &["id"])?;
        for r in 0..c.rows() {
            district.communities.push(Community {
                id: text(c, "id", r)?,
                name: opt_text(c, "name", r)?.unwrap_or_default(),
                population: opt_int(c, "population", r)?.unwrap_or(0),
                cells: Vec::new(),
            });
        }
    }
    if let Some(cells) = t.cells {
        require(cells, &["id", "community", "x", "y"])?;
        for r in 0..cells.rows() {
            let community = text(cells, "community", r)?;
            let cell = GridCell {
                id: text(cells, "id", r)?,
                x: real(cells, "x", r)?,
                y: real(cells, "y", r)?,
            };
            match district.communities.iter_mut().find(|c| c.id == community) {
                Some(c) => c.cells.push(cell),
                None => {
                    return Err(cell_error(
                        cells,
                        r,
                        "community",
                        format!("{community:?} is not in the communities table"),
                    ));
                }
            }
        }
    }
    if let Some(cats) = t.categories {
        require(cats, &["id", "value"])?;
        for r in 0..cats.rows() {
            district.categories.push(ServiceCategory {
                id: text(cats, "id", r)?,
                name: opt_text(cats, "name", r)?.unwrap_or_default(),
                value: real(cats, "value", r)?,
            });
        }
    }

    let n = t.needs;
    require(n, &["id", "community", "category", "units"])?;
    district.needs.reserve(n.rows());
    for r in 0..n.rows() {
        let window = match (opt_int(n, "window_start", r)?, opt_int(n, "window_end", r)?) {
            (None, None) => None,
            (Some(start), Some(end)) => Some(TimeWindow { start, end }),
            _ => {
                return Err(cell_error(
                    n,
                    r,
                    "window_end",
                    "window_start and window_end go together",
                ));
            }
        };
        district.needs.push(Need {
            id: text(n, "id", r)?,
            community: text(n, "community", r)?,
            cell: opt_text(n, "cell", r)?,
            category: text(n, "category", r)?,
            units: int(n, "units", r)?,
            priority: opt_int(n, "priority", r)?.unwrap_or(3),
            vulnerability: opt_list(n, "vulnerability", r)?,
            skills: opt_list(n, "skills", r)?,
            window,
            budget: opt_real(n, "budget", r)?,
        });
    }

    let p = t.providers;
    require(p, &["id", "kind"])?;
    for r in 0..p.rows() {
        let kind_text = text(p, "kind", r)?;
        let kind = ProviderKind::parse(&kind_text).ok_or_else(|| {
            cell_error(
                p,
                r,
                "kind",
                format!(
                    "{kind_text:?} is not one of government, market, social_organization, volunteer"
                ),
            )
        })?;
        let service_area = match opt_text(p, "service_area", r)?.as_deref() {
            None => None,
            Some("home") => Some(ServiceArea::Home),
            Some("district") => Some(ServiceArea::District),
            Some(_) => Some(ServiceArea::Communities(p.list("service_area", r)?)),
        };
        let mut quotas = BTreeMap::new();
        for q in opt_list(p, "quotas", r)? {
            let (c, units) = q.split_once('=').ok_or_else(|| {
                cell_error(p, r, "quotas", format!("{q:?} is not COMMUNITY=UNITS"))
            })?;
            let units = units
                .trim()
                .parse()
                .map_err(|_| cell_error(p, r, "quotas", format!("cannot read {q:?}")))?;
            quotas.insert(c.trim().to_owned(), units);
        }
        let availability = opt_list(p, "availability", r)?
            .iter()
            .map(|w| window(p, r, "availability", w))
            .collect::<Result<_>>()?;
        district.providers.push(Provider {
            id: text(p, "id", r)?,
            name: opt_text(p, "name", r)?.unwrap_or_default(),
            kind,
            home: opt_text(p, "home", r)?,
            service_area,
            cell: opt_text(p, "cell", r)?,
            skills: opt_list(p, "skills", r)?,
            availability,
            capacity: opt_int(p, "capacity", r)?,
            quotas,
            offers: Vec::new(),
        });
    }

    let o = t.offers;
    require(o, &["provider", "category", "capacity"])?;
    let index: HashMap<String, usize> = district
        .providers
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.clone(), i))
        .collect();
    for r in 0..o.rows() {
        let provider = text(o, "provider", r)?;
        let Some(&pi) = index.get(&provider) else {
            return Err(cell_error(
                o,
                r,
                "provider",
                format!("{provider:?} is not in the providers table"),
            ));
        };
        district.providers[pi].offers.push(Offer {
            category: text(o, "category", r)?,
            capacity: int(o, "capacity", r)?,
            unit_cost: opt_real(o, "unit_cost", r)?.unwrap_or(0.0),
            price: opt_real(o, "price", r)?,
            quality: opt_real(o, "quality", r)?.unwrap_or(1.0),
        });
    }

    if t.communities.is_none() {
        let mut seen: Vec<String> = Vec::new();
        let mut add = |c: &str| {
            if !seen.iter().any(|s| s == c) {
                seen.push(c.to_owned());
            }
        };
        for need in &district.needs {
            add(&need.community);
        }
        for pr in &district.providers {
            if let Some(h) = &pr.home {
                add(h);
            }
        }
        district.communities = seen
            .into_iter()
            .map(|id| Community {
                id,
                name: String::new(),
                population: 0,
                cells: Vec::new(),
            })
            .collect();
    }
    Ok(district)
}
