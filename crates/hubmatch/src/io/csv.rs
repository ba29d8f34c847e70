//! District data as CSV tables, for analysts who keep spreadsheets.
//!
//! A folder holds `communities.csv`, `needs.csv`, `providers.csv` and
//! `offers.csv`, and optionally `cells.csv`, `categories.csv` and `policy.json`.
//! Lists inside a cell (skills, tags, communities) are separated by `;`; empty
//! cells mean "absent". Columns are documented in [`crate::io::tables`].

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::tables::{DistrictTables, Table, cell_error, district_from_tables};
use crate::model::{District, Policy, ServiceArea};

/// One CSV file held in memory as a [`Table`].
struct CsvTable {
    name: String,
    columns: HashMap<String, usize>,
    rows: Vec<csv::StringRecord>,
}

impl CsvTable {
    fn read(dir: &Path, name: &str, required: bool) -> Result<Option<CsvTable>> {
        let path = dir.join(name);
        if !path.exists() && !required {
            return Ok(None);
        }
        let parse = |e: csv::Error| Error::Parse {
            source_name: path.display().to_string(),
            message: e.to_string(),
        };
        let file = std::fs::File::open(&path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(file);
        let columns = reader
            .headers()
            .map_err(parse)?
            .iter()
            .enumerate()
            .map(|(i, h)| (h.to_owned(), i))
            .collect();
        let rows = reader
            .records()
            .collect::<std::result::Result<_, _>>()
            .map_err(parse)?;
        Ok(Some(CsvTable {
            name: name.to_owned(),
            columns,
            rows,
        }))
    }

    fn cell(&self, column: &str, row: usize) -> Option<&str> {
        let i = *self.columns.get(column)?;
        self.rows[row].get(i).filter(|s| !s.is_empty())
    }

    fn parsed<T: std::str::FromStr>(&self, column: &str, row: usize) -> Result<Option<T>> {
        self.cell(column, row)
            .map(|s| {
                s.parse()
                    .map_err(|_| cell_error(self, row, column, format!("cannot read {s:?}")))
            })
            .transpose()
    }
}

impl Table for CsvTable {
    fn name(&self) -> &str {
        &self.name
    }
    fn rows(&self) -> usize {
        self.rows.len()
    }
    fn has_column(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }
    fn locate(&self, row: usize) -> String {
        format!("line {}", row + 2) // after the header, 1-based
    }
    fn text(&self, column: &str, row: usize) -> Result<Option<String>> {
        Ok(self.cell(column, row).map(str::to_owned))
    }
    fn int(&self, column: &str, row: usize) -> Result<Option<i64>> {
        self.parsed(column, row)
    }
    fn real(&self, column: &str, row: usize) -> Result<Option<f64>> {
        self.parsed(column, row)
    }
}

/// Reads a district from a folder of CSV tables (without validating it);
/// the columns are those of [`crate::io::tables`].
///
/// ```no_run
/// let d = hubmatch::io::csv::read_district_dir("my-street/").unwrap();
/// let index = d.validate().unwrap();
/// ```
pub fn read_district_dir(dir: impl AsRef<Path>) -> Result<District> {
    let dir = dir.as_ref();
    let required = |name: &str| {
        CsvTable::read(dir, name, true)?.ok_or_else(|| Error::Io {
            path: dir.join(name).display().to_string(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        })
    };
    let communities = required("communities.csv")?;
    let cells = CsvTable::read(dir, "cells.csv", false)?;
    let categories = CsvTable::read(dir, "categories.csv", false)?;
    let needs = required("needs.csv")?;
    let providers = required("providers.csv")?;
    let offers = required("offers.csv")?;
    let id = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("district");
    let mut district = district_from_tables(
        id,
        &DistrictTables {
            communities: Some(&communities),
            cells: cells.as_ref().map(|t| t as &dyn Table),
            categories: categories.as_ref().map(|t| t as &dyn Table),
            needs: &needs,
            providers: &providers,
            offers: &offers,
        },
    )?;
    let policy_path = dir.join("policy.json");
    if policy_path.exists() {
        let text = std::fs::read_to_string(&policy_path).map_err(|source| Error::Io {
            path: policy_path.display().to_string(),
            source,
        })?;
        district.policy = serde_json::from_str::<Policy>(&text).map_err(|e| Error::Parse {
            source_name: policy_path.display().to_string(),
            message: e.to_string(),
        })?;
    }
    Ok(district)
}

fn join(items: &[String]) -> String {
    items.join(";")
}

fn opt<T: ToString>(v: Option<&T>) -> String {
    v.map(ToString::to_string).unwrap_or_default()
}

/// Writes a district as a folder of CSV tables (the inverse of [`read_district_dir`]).
///
/// ```
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let dir = std::env::temp_dir().join(format!("hubmatch-doc-csv-{}", std::process::id()));
/// hubmatch::io::csv::write_district_dir(&d, &dir).unwrap();
/// let back = hubmatch::io::csv::read_district_dir(&dir).unwrap();
/// assert_eq!(back.needs, d.needs);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_district_dir(district: &District, dir: impl AsRef<Path>) -> Result<()> {
    let dir = dir.as_ref();
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let write = |name: &str, header: &[&str], rows: Vec<Vec<String>>| -> Result<()> {
        let path = dir.join(name);
        let csv_err = |e: csv::Error| Error::Io {
            path: path.display().to_string(),
            source: std::io::Error::other(e),
        };
        let mut w = csv::Writer::from_path(&path).map_err(csv_err)?;
        w.write_record(header).map_err(csv_err)?;
        for row in rows {
            w.write_record(&row).map_err(csv_err)?;
        }
        w.flush().map_err(io(&path))
    };
    write(
        "communities.csv",
        &["id", "name", "population"],
        district
            .communities
            .iter()
            .map(|c| vec![c.id.clone(), c.name.clone(), c.population.to_string()])
            .collect(),
    )?;
    write(
        "cells.csv",
        &["id", "community", "x", "y"],
        district
            .communities
            .iter()
            .flat_map(|c| {
                c.cells
                    .iter()
                    .map(|g| vec![g.id.clone(), c.id.clone(), g.x.to_string(), g.y.to_string()])
            })
            .collect(),
    )?;
    if !district.categories.is_empty() {
        write(
            "categories.csv",
            &["id", "name", "value"],
            district
                .categories
                .iter()
                .map(|c| vec![c.id.clone(), c.name.clone(), c.value.to_string()])
                .collect(),
        )?;
    }
    write(
        "needs.csv",
        &[
            "id",
            "community",
            "cell",
            "category",
            "units",
            "priority",
            "vulnerability",
            "skills",
            "window_start",
            "window_end",
            "budget",
        ],
        district
            .needs
            .iter()
            .map(|n| {
                vec![
                    n.id.clone(),
                    n.community.clone(),
                    n.cell.clone().unwrap_or_default(),
                    n.category.clone(),
                    n.units.to_string(),
                    n.priority.to_string(),
                    join(&n.vulnerability),
                    join(&n.skills),
                    opt(n.window.as_ref().map(|w| &w.start)),
                    opt(n.window.as_ref().map(|w| &w.end)),
                    opt(n.budget.as_ref()),
                ]
            })
            .collect(),
    )?;
    write(
        "providers.csv",
        &[
            "id",
            "name",
            "kind",
            "home",
            "service_area",
            "cell",
            "skills",
            "availability",
            "capacity",
            "quotas",
        ],
        district
            .providers
            .iter()
            .map(|p| {
                let area = match &p.service_area {
                    None => String::new(),
                    Some(ServiceArea::Home) => "home".into(),
                    Some(ServiceArea::District) => "district".into(),
                    Some(ServiceArea::Communities(list)) => join(list),
                };
                let availability: Vec<String> = p
                    .availability
                    .iter()
                    .map(|w| format!("{}-{}", w.start, w.end))
                    .collect();
                let quotas: Vec<String> =
                    p.quotas.iter().map(|(c, q)| format!("{c}={q}")).collect();
                vec![
                    p.id.clone(),
                    p.name.clone(),
                    p.kind.as_str().to_owned(),
                    p.home.clone().unwrap_or_default(),
                    area,
                    p.cell.clone().unwrap_or_default(),
                    join(&p.skills),
                    join(&availability),
                    opt(p.capacity.as_ref()),
                    join(&quotas),
                ]
            })
            .collect(),
    )?;
    write(
        "offers.csv",
        &[
            "provider",
            "category",
            "capacity",
            "unit_cost",
            "price",
            "quality",
        ],
        district
            .providers
            .iter()
            .flat_map(|p| {
                p.offers.iter().map(|o| {
                    vec![
                        p.id.clone(),
                        o.category.clone(),
                        o.capacity.to_string(),
                        o.unit_cost.to_string(),
                        opt(o.price.as_ref()),
                        o.quality.to_string(),
                    ]
                })
            })
            .collect(),
    )?;
    let policy_path = dir.join("policy.json");
    let text = serde_json::to_string_pretty(&district.policy).unwrap_or_default();
    std::fs::write(&policy_path, text + "\n").map_err(io(&policy_path))
}
