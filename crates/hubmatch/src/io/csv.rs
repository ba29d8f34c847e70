//! District data as CSV tables, for analysts who keep spreadsheets.
//!
//! A folder holds `communities.csv`, `needs.csv`, `providers.csv` and
//! `offers.csv`, and optionally `cells.csv`, `categories.csv` and `policy.json`.
//! Lists inside a cell (skills, tags, communities) are separated by `;`; empty
//! cells mean "absent". Columns:
//!
//! | file | columns (required in bold) |
//! |---|---|
//! | communities.csv | **id**, name, population |
//! | cells.csv | **id**, **community**, **x**, **y** |
//! | categories.csv | **id**, name, **value** |
//! | needs.csv | **id**, **community**, **category**, **units**, cell, priority, vulnerability, skills, window_start, window_end, budget |
//! | providers.csv | **id**, **kind**, name, home, service_area (`home`, `district` or `c1;c2`), cell, skills, availability (`480-720;900-1000`), capacity, quotas (`c1=10;c2=5`) |
//! | offers.csv | **provider**, **category**, **capacity**, unit_cost, price, quality |

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::model::{
    Community, District, FORMAT, GridCell, Need, Offer, Policy, Provider, ProviderKind,
    ServiceArea, ServiceCategory, TimeWindow,
};

struct Table {
    name: String,
    columns: HashMap<String, usize>,
    rows: Vec<csv::StringRecord>,
}

struct Row<'a> {
    table: &'a Table,
    line: usize,
    record: &'a csv::StringRecord,
}

impl Table {
    fn read(dir: &Path, name: &str, required: bool) -> Result<Option<Table>> {
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
        Ok(Some(Table {
            name: name.to_owned(),
            columns,
            rows,
        }))
    }

    fn check_columns(&self, required: &[&str]) -> Result<()> {
        for c in required {
            if !self.columns.contains_key(*c) {
                return Err(Error::Parse {
                    source_name: self.name.clone(),
                    message: format!("missing required column {c:?}"),
                });
            }
        }
        Ok(())
    }

    fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().enumerate().map(move |(i, record)| Row {
            table: self,
            line: i + 2,
            record,
        })
    }
}

impl Row<'_> {
    fn get(&self, column: &str) -> Option<&str> {
        let i = *self.table.columns.get(column)?;
        self.record.get(i).filter(|s| !s.is_empty())
    }

    fn error(&self, column: &str, message: impl Into<String>) -> Error {
        let message: String = message.into();
        Error::Parse {
            source_name: self.table.name.clone(),
            message: format!("line {}: column {column:?}: {message}", self.line),
        }
    }

    fn text(&self, column: &str) -> Result<String> {
        self.get(column)
            .map(str::to_owned)
            .ok_or_else(|| self.error(column, "must not be empty"))
    }

    fn opt<T: FromStr>(&self, column: &str) -> Result<Option<T>> {
        self.get(column)
            .map(|s| {
                s.parse()
                    .map_err(|_| self.error(column, format!("cannot read {s:?}")))
            })
            .transpose()
    }

    fn req<T: FromStr>(&self, column: &str) -> Result<T> {
        self.opt(column)?
            .ok_or_else(|| self.error(column, "must not be empty"))
    }

    fn list(&self, column: &str) -> Vec<String> {
        self.get(column)
            .map(|s| {
                s.split(';')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn window(&self, text: &str, column: &str) -> Result<TimeWindow> {
        let (a, b) = text
            .split_once('-')
            .ok_or_else(|| self.error(column, format!("window {text:?} is not START-END")))?;
        let parse = |s: &str| {
            s.trim()
                .parse::<i64>()
                .map_err(|_| self.error(column, format!("cannot read {text:?}")))
        };
        Ok(TimeWindow {
            start: parse(a)?,
            end: parse(b)?,
        })
    }
}

/// Reads a district from a folder of CSV tables (without validating it).
///
/// ```no_run
/// let d = hubmatch::io::csv::read_district_dir("my-street/").unwrap();
/// let index = d.validate().unwrap();
/// ```
pub fn read_district_dir(dir: impl AsRef<Path>) -> Result<District> {
    let dir = dir.as_ref();
    let mut district = District::new(
        dir.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("district"),
    );

    let communities = Table::read(dir, "communities.csv", true)?.unwrap_or_else(|| unreachable!());
    communities.check_columns(&["id"])?;
    for r in communities.rows() {
        district.communities.push(Community {
            id: r.text("id")?,
            name: r.get("name").unwrap_or_default().to_owned(),
            population: r.opt("population")?.unwrap_or(0),
            cells: Vec::new(),
        });
    }
    if let Some(cells) = Table::read(dir, "cells.csv", false)? {
        cells.check_columns(&["id", "community", "x", "y"])?;
        for r in cells.rows() {
            let community: String = r.text("community")?;
            let cell = GridCell {
                id: r.text("id")?,
                x: r.req("x")?,
                y: r.req("y")?,
            };
            match district.communities.iter_mut().find(|c| c.id == community) {
                Some(c) => c.cells.push(cell),
                None => {
                    return Err(r.error(
                        "community",
                        format!("{community:?} is not in communities.csv"),
                    ));
                }
            }
        }
    }
    if let Some(categories) = Table::read(dir, "categories.csv", false)? {
        categories.check_columns(&["id", "value"])?;
        for r in categories.rows() {
            district.categories.push(ServiceCategory {
                id: r.text("id")?,
                name: r.get("name").unwrap_or_default().to_owned(),
                value: r.req("value")?,
            });
        }
    }

    let needs = Table::read(dir, "needs.csv", true)?.unwrap_or_else(|| unreachable!());
    needs.check_columns(&["id", "community", "category", "units"])?;
    for r in needs.rows() {
        let window = match (r.opt::<i64>("window_start")?, r.opt::<i64>("window_end")?) {
            (None, None) => None,
            (Some(start), Some(end)) => Some(TimeWindow { start, end }),
            _ => {
                return Err(r.error("window_end", "window_start and window_end go together"));
            }
        };
        district.needs.push(Need {
            id: r.text("id")?,
            community: r.text("community")?,
            cell: r.get("cell").map(str::to_owned),
            category: r.text("category")?,
            units: r.req("units")?,
            priority: r.opt("priority")?.unwrap_or(3),
            vulnerability: r.list("vulnerability"),
            skills: r.list("skills"),
            window,
            budget: r.opt("budget")?,
        });
    }

    let providers = Table::read(dir, "providers.csv", true)?.unwrap_or_else(|| unreachable!());
    providers.check_columns(&["id", "kind"])?;
    for r in providers.rows() {
        let kind_text = r.text("kind")?;
        let kind = ProviderKind::parse(&kind_text).ok_or_else(|| {
            r.error(
                "kind",
                format!(
                    "{kind_text:?} is not one of government, market, social_organization, volunteer"
                ),
            )
        })?;
        let service_area = r.get("service_area").map(|s| match s {
            "home" => ServiceArea::Home,
            "district" => ServiceArea::District,
            _ => ServiceArea::Communities(r.list("service_area")),
        });
        let mut quotas = std::collections::BTreeMap::new();
        for q in r.list("quotas") {
            let (c, n) = q
                .split_once('=')
                .ok_or_else(|| r.error("quotas", format!("{q:?} is not COMMUNITY=UNITS")))?;
            let n = n
                .trim()
                .parse()
                .map_err(|_| r.error("quotas", format!("cannot read {q:?}")))?;
            quotas.insert(c.trim().to_owned(), n);
        }
        let availability = r
            .list("availability")
            .iter()
            .map(|w| r.window(w, "availability"))
            .collect::<Result<_>>()?;
        district.providers.push(Provider {
            id: r.text("id")?,
            name: r.get("name").unwrap_or_default().to_owned(),
            kind,
            home: r.get("home").map(str::to_owned),
            service_area,
            cell: r.get("cell").map(str::to_owned),
            skills: r.list("skills"),
            availability,
            capacity: r.opt("capacity")?,
            quotas,
            offers: Vec::new(),
        });
    }

    let offers = Table::read(dir, "offers.csv", true)?.unwrap_or_else(|| unreachable!());
    offers.check_columns(&["provider", "category", "capacity"])?;
    let provider_ix: HashMap<String, usize> = district
        .providers
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.clone(), i))
        .collect();
    for r in offers.rows() {
        let provider = r.text("provider")?;
        let Some(&pi) = provider_ix.get(&provider) else {
            return Err(r.error("provider", format!("{provider:?} is not in providers.csv")));
        };
        district.providers[pi].offers.push(Offer {
            category: r.text("category")?,
            capacity: r.req("capacity")?,
            unit_cost: r.opt("unit_cost")?.unwrap_or(0.0),
            price: r.opt("price")?,
            quality: r.opt("quality")?.unwrap_or(1.0),
        });
    }

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
    FORMAT.clone_into(&mut district.format);
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
