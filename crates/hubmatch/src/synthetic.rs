//! Seeded synthetic districts for demos, tests and benchmarks.
//!
//! The output depends only on the knobs, the seed and this crate's version:
//! the generator draws from a `ChaCha8` stream, which is identical on every
//! platform, and uses no floating-point operation whose result could differ.
//!
//! # Presets
//!
//! | preset | communities | needs / community | providers / community | district-level providers |
//! |---|---|---|---|---|
//! | `small` | 3 | 40 | 12 | 3 |
//! | `district-13` | 13 | 5,000 | 200 | 40 |
//! | `district-13-x4` | 52 | 5,000 | 200 | 160 |
//! | `district-13-x16` | 208 | 5,000 | 200 | 640 |
//! | `city-100` | 100 districts of `district-13` ([`city`]) | | | |
//!
//! # Where the proportions come from
//!
//! The reference street has 13 communities under one hub, with grid
//! management inside each (domain notes in `shared/domain.md`). Needs split
//! across the five service systems with life services the largest share
//! (35%), then volunteer and public (20% each), professional (15%) and
//! administrative (10%); 1–3 units each, priorities skewed to the middle.
//! Providers are mostly residents volunteering (65%), then businesses (20%),
//! social organizations (12%) and the community committees (3%); volunteers
//! have small capacities and many skills, businesses charge prices, social
//! organizations carry professional services, and only government offers
//! administrative services. District-level providers are the street office's
//! service hall, branded NGOs brought in for projects, internet service
//! platforms and district volunteer associations.
//!
//! Vulnerable residents cluster: each community draws its own rates of
//! residents living alone in old age, with disabilities, on low income and
//! children. Each community also draws a capacity factor between 0.5 and 1.6,
//! so some are short of capacity and some have a surplus — the imbalance a
//! hub can even out.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::model::{
    Community, District, GridCell, Need, Offer, Provider, ProviderKind, ServiceArea,
    ServiceCategory, TimeWindow,
};

/// Size and mix of a synthetic district.
///
/// ```
/// use hubmatch::synthetic::{generate, Knobs};
/// let knobs = Knobs { communities: 2, needs_per_community: 10, ..Knobs::preset("small").unwrap() };
/// let d = generate(&knobs, 7);
/// assert_eq!(d.communities.len(), 2);
/// assert_eq!(d.needs.len(), 20);
/// assert!(d.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Knobs {
    /// Number of communities.
    pub communities: usize,
    /// Needs drawn in each community.
    pub needs_per_community: usize,
    /// Providers homed in each community.
    pub providers_per_community: usize,
    /// Providers serving the whole district.
    pub district_providers: usize,
    /// Shares of government, market, social-organization and volunteer
    /// providers among community providers (normalised).
    pub kind_mix: [f64; 4],
    /// Probability that a provider has each skill of its categories; raises
    /// the number of eligible providers per need (0 to 1).
    pub edge_density: f64,
    /// Share of non-government community providers that also serve
    /// neighbouring communities (through the hub, in pooled mode).
    pub reach: f64,
    /// Grid cells per community.
    pub cells_per_community: usize,
}

impl Knobs {
    /// The knobs of a named preset, or `None` for an unknown name.
    ///
    /// ```
    /// let k = hubmatch::synthetic::Knobs::preset("district-13").unwrap();
    /// assert_eq!((k.communities, k.needs_per_community, k.providers_per_community), (13, 5000, 200));
    /// ```
    pub fn preset(name: &str) -> Option<Knobs> {
        let base = Knobs {
            communities: 13,
            needs_per_community: 5_000,
            providers_per_community: 200,
            district_providers: 40,
            kind_mix: [0.03, 0.20, 0.12, 0.65],
            edge_density: 0.15,
            reach: 0.35,
            cells_per_community: 10,
        };
        match name {
            "small" => Some(Knobs {
                communities: 3,
                needs_per_community: 40,
                providers_per_community: 12,
                district_providers: 3,
                cells_per_community: 3,
                ..base
            }),
            "district-13" => Some(base),
            "district-13-x4" => Some(Knobs {
                communities: 52,
                district_providers: 160,
                ..base
            }),
            "district-13-x16" => Some(Knobs {
                communities: 208,
                district_providers: 640,
                ..base
            }),
            _ => None,
        }
    }

    /// Names of the single-district presets.
    pub const PRESETS: [&'static str; 4] =
        ["small", "district-13", "district-13-x4", "district-13-x16"];
}

const SKILLS: [(&str, [&str; 6]); 5] = [
    (
        ServiceCategory::LIFE,
        [
            "meals",
            "cleaning",
            "repairs",
            "elder_care",
            "shopping",
            "laundry",
        ],
    ),
    (
        ServiceCategory::PROFESSIONAL,
        [
            "social_work",
            "counselling",
            "rehabilitation",
            "legal_aid",
            "nursing",
            "child_care",
        ],
    ),
    (
        ServiceCategory::VOLUNTEER,
        [
            "companionship",
            "tutoring",
            "escort",
            "reading",
            "phone_check",
            "digital_help",
        ],
    ),
    (
        ServiceCategory::PUBLIC,
        [
            "health_check",
            "culture",
            "employment",
            "safety",
            "sports",
            "hygiene",
        ],
    ),
    (
        ServiceCategory::ADMINISTRATIVE,
        [
            "certificates",
            "benefits",
            "pensions",
            "housing",
            "registration",
            "permits",
        ],
    ),
];

const NAMES: [&str; 13] = [
    "East Gate",
    "West Lake",
    "North Garden",
    "South Bridge",
    "Riverside",
    "Old Town",
    "Station",
    "Park View",
    "Mill Lane",
    "Hillside",
    "New Village",
    "Market Street",
    "Canal",
];

const TAGS: [&str; 4] = ["elderly_alone", "disabled", "low_income", "child"];

/// Draws from `weights` (which need not sum to 1).
fn pick(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// A value in `lo..=hi` scaled by `factor`, at least 1.
fn scaled(rng: &mut ChaCha8Rng, lo: i64, hi: i64, factor: f64) -> i64 {
    ((rng.random_range(lo..=hi) as f64 * factor).round() as i64).max(1)
}

/// A decimal with one digit after the point, exactly representable as input.
fn tenth(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    let t = rng.random_range((lo * 10.0) as i64..=(hi * 10.0) as i64);
    t as f64 / 10.0
}

struct CommunityProfile {
    tag_rate: [f64; 4],
    capacity: f64,
    category_tilt: [f64; 5],
}

fn skills_for(rng: &mut ChaCha8Rng, categories: &[usize], density: f64) -> Vec<String> {
    let mut out = Vec::new();
    for &c in categories {
        for s in SKILLS[c].1 {
            if rng.random_bool(density.clamp(0.0, 1.0)) {
                out.push(s.to_owned());
            }
        }
    }
    out
}

fn availability(rng: &mut ChaCha8Rng) -> Vec<TimeWindow> {
    if rng.random_bool(0.4) {
        return Vec::new();
    }
    (0..rng.random_range(1..=3))
        .map(|_| {
            let day = rng.random_range(0..7i64);
            let start = day * 1440 + rng.random_range(8..=18i64) * 60;
            TimeWindow {
                start,
                end: start + rng.random_range(2..=6i64) * 60,
            }
        })
        .collect()
}

/// Generates a district from knobs and a seed.
#[allow(clippy::too_many_lines)]
pub fn generate(knobs: &Knobs, seed: u64) -> District {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut d = District::new(&format!("synthetic-{seed}"));
    d.name = format!(
        "Synthetic street ({} communities, seed {seed})",
        knobs.communities
    );
    let width = (knobs.communities as f64).sqrt().ceil() as usize;
    let mut profiles = Vec::with_capacity(knobs.communities);
    for c in 0..knobs.communities {
        let id = format!("c{:02}", c + 1);
        let (bx, by) = ((c % width) as f64 * 10.0, (c / width) as f64 * 10.0);
        let cells = (0..knobs.cells_per_community)
            .map(|g| GridCell {
                id: format!("{id}-g{:02}", g + 1),
                x: bx + tenth(&mut rng, 0.0, 9.9),
                y: by + tenth(&mut rng, 0.0, 9.9),
            })
            .collect();
        let name = if c < NAMES.len() {
            NAMES[c].to_owned()
        } else {
            format!("Community {}", c + 1)
        };
        d.communities.push(Community {
            id,
            name,
            population: rng.random_range(6_000..=14_000),
            cells,
        });
        profiles.push(CommunityProfile {
            tag_rate: [
                rng.random_range(0.05..0.40),
                rng.random_range(0.03..0.10),
                rng.random_range(0.05..0.30),
                rng.random_range(0.05..0.20),
            ],
            capacity: rng.random_range(0.5..1.6),
            category_tilt: std::array::from_fn(|_| rng.random_range(0.7..1.3)),
        });
    }
    let cell_of = |rng: &mut ChaCha8Rng, d: &District, c: usize| -> String {
        let cells = &d.communities[c].cells;
        cells[rng.random_range(0..cells.len())].id.clone()
    };

    // Needs.
    let category_share = [0.35, 0.15, 0.20, 0.20, 0.10];
    for (c, profile) in profiles.iter().enumerate() {
        let weights: Vec<f64> = category_share
            .iter()
            .zip(profile.category_tilt)
            .map(|(s, t)| s * t)
            .collect();
        for k in 0..knobs.needs_per_community {
            let cat = pick(&mut rng, &weights);
            let id = format!("{}-n{:05}", d.communities[c].id, k + 1);
            let mut need = Need::new(
                &id,
                &d.communities[c].id.clone(),
                SKILLS[cat].0,
                1 + pick(&mut rng, &[0.5, 0.3, 0.2]) as i64,
            );
            need.cell = Some(cell_of(&mut rng, &d, c));
            for (t, rate) in TAGS.iter().zip(profile.tag_rate) {
                if rng.random_bool(rate) {
                    need.vulnerability.push((*t).to_owned());
                }
            }
            let base = 1 + pick(&mut rng, &[0.15, 0.25, 0.30, 0.20, 0.10]) as i64;
            need.priority = (base + i64::from(!need.vulnerability.is_empty())).min(5);
            if rng.random_bool(0.8) {
                need.skills
                    .push(SKILLS[cat].1[rng.random_range(0..6)].to_owned());
            }
            if rng.random_bool(0.3) {
                // Standard half-day slots: 8:00-12:00 or 14:00-18:00.
                let day = rng.random_range(0..7i64);
                let start = day * 1440 + if rng.random_bool(0.5) { 480 } else { 840 };
                need.window = Some(TimeWindow {
                    start,
                    end: start + 240,
                });
            }
            let poor = need.vulnerability.iter().any(|t| t == "low_income");
            if rng.random_bool(if poor { 0.15 } else { 0.5 }) {
                need.budget = Some(f64::from(rng.random_range(1..=6u32) * 10));
            }
            d.needs.push(need);
        }
    }

    // Community providers.
    let density = knobs.edge_density;
    for (c, profile) in profiles.iter().enumerate() {
        let home = d.communities[c].id.clone();
        let f = profile.capacity * 1.4;
        for k in 0..knobs.providers_per_community {
            // Every community has its committee (社区两委) first.
            let kind = if k == 0 {
                ProviderKind::Government
            } else {
                ProviderKind::ALL[pick(&mut rng, &knobs.kind_mix)]
            };
            let mut p = Provider::new(&format!("{home}-p{:03}", k + 1), kind, Some(&home));
            p.cell = Some(cell_of(&mut rng, &d, c));
            let (cats, offers): (Vec<usize>, Vec<Offer>) = match kind {
                ProviderKind::Government => {
                    p.name = if k == 0 {
                        format!("{} community committees", d.communities[c].name)
                    } else {
                        format!(
                            "{} community service station {}",
                            d.communities[c].name,
                            k + 1
                        )
                    };
                    let admin = Offer {
                        unit_cost: tenth(&mut rng, 2.0, 5.0),
                        ..Offer::new(
                            ServiceCategory::ADMINISTRATIVE,
                            scaled(&mut rng, 40, 120, f),
                        )
                    };
                    let public = Offer {
                        unit_cost: tenth(&mut rng, 2.0, 5.0),
                        ..Offer::new(ServiceCategory::PUBLIC, scaled(&mut rng, 30, 90, f))
                    };
                    (vec![4, 3], vec![admin, public])
                }
                ProviderKind::Market => {
                    p.name = format!("Business {home}-{}", k + 1);
                    let mut v = vec![(
                        0,
                        Offer {
                            price: Some(f64::from(rng.random_range(15..=50u32))),
                            unit_cost: tenth(&mut rng, 0.0, 5.0),
                            quality: tenth(&mut rng, 0.9, 1.3),
                            ..Offer::new(ServiceCategory::LIFE, scaled(&mut rng, 20, 80, f))
                        },
                    )];
                    if rng.random_bool(0.2) {
                        v.push((
                            1,
                            Offer {
                                price: Some(f64::from(rng.random_range(40..=80u32))),
                                quality: tenth(&mut rng, 1.0, 1.3),
                                ..Offer::new(
                                    ServiceCategory::PROFESSIONAL,
                                    scaled(&mut rng, 10, 30, f),
                                )
                            },
                        ));
                    }
                    v.into_iter().unzip()
                }
                ProviderKind::SocialOrganization => {
                    p.name = format!("Community organization {home}-{}", k + 1);
                    let mut v = vec![(
                        1,
                        Offer {
                            unit_cost: tenth(&mut rng, 5.0, 20.0),
                            quality: tenth(&mut rng, 1.0, 1.4),
                            ..Offer::new(ServiceCategory::PROFESSIONAL, scaled(&mut rng, 10, 50, f))
                        },
                    )];
                    if rng.random_bool(0.3) {
                        v.push((
                            2,
                            Offer {
                                unit_cost: tenth(&mut rng, 1.0, 5.0),
                                ..Offer::new(
                                    ServiceCategory::VOLUNTEER,
                                    scaled(&mut rng, 10, 40, f),
                                )
                            },
                        ));
                    }
                    if rng.random_bool(0.3) {
                        v.push((
                            3,
                            Offer {
                                unit_cost: tenth(&mut rng, 2.0, 8.0),
                                ..Offer::new(ServiceCategory::PUBLIC, scaled(&mut rng, 10, 30, f))
                            },
                        ));
                    }
                    v.into_iter().unzip()
                }
                ProviderKind::Volunteer => {
                    p.name = format!("Volunteer {home}-{}", k + 1);
                    p.capacity = Some(scaled(&mut rng, 2, 10, f));
                    p.availability = availability(&mut rng);
                    let mut v = vec![(
                        2,
                        Offer::new(ServiceCategory::VOLUNTEER, scaled(&mut rng, 2, 8, f)),
                    )];
                    if rng.random_bool(0.5) {
                        v.push((
                            0,
                            Offer::new(ServiceCategory::LIFE, scaled(&mut rng, 1, 6, f)),
                        ));
                    }
                    v.into_iter().unzip()
                }
            };
            let skill_density = if kind == ProviderKind::Volunteer {
                (density * 1.5).min(1.0)
            } else {
                density
            };
            p.skills = skills_for(&mut rng, &cats, skill_density);
            p.offers = offers;
            // Committees serve their own residents; others may reach neighbours.
            if kind != ProviderKind::Government && rng.random_bool(knobs.reach) {
                let mut area = vec![home.clone()];
                for nb in [c.wrapping_sub(1), c + 1, c + width] {
                    if nb < knobs.communities && rng.random_bool(0.6) {
                        area.push(d.communities[nb].id.clone());
                    }
                }
                p.service_area = Some(ServiceArea::Communities(area));
            }
            d.providers.push(p);
        }
    }

    // District-level providers.
    for k in 0..knobs.district_providers {
        let kind = ProviderKind::ALL[pick(&mut rng, &[0.1, 0.3, 0.4, 0.2])];
        let mut p = Provider::new(&format!("d-p{:03}", k + 1), kind, None);
        let c = rng.random_range(0..knobs.communities);
        p.cell = Some(cell_of(&mut rng, &d, c));
        let (cats, offers): (Vec<usize>, Vec<Offer>) = match kind {
            ProviderKind::Government => {
                p.name = format!("Street office service hall {}", k + 1);
                (
                    vec![4, 3],
                    vec![
                        Offer {
                            unit_cost: 3.0,
                            ..Offer::new(
                                ServiceCategory::ADMINISTRATIVE,
                                scaled(&mut rng, 300, 600, 1.0),
                            )
                        },
                        Offer {
                            unit_cost: 3.0,
                            ..Offer::new(ServiceCategory::PUBLIC, scaled(&mut rng, 200, 400, 1.0))
                        },
                    ],
                )
            }
            ProviderKind::Market => {
                p.name = format!("Service platform {}", k + 1);
                (
                    vec![0],
                    vec![Offer {
                        price: Some(f64::from(rng.random_range(10..=40u32))),
                        quality: tenth(&mut rng, 0.9, 1.2),
                        ..Offer::new(ServiceCategory::LIFE, scaled(&mut rng, 200, 500, 1.0))
                    }],
                )
            }
            ProviderKind::SocialOrganization => {
                p.name = format!("Branded NGO {}", k + 1);
                (
                    vec![1, 3],
                    vec![
                        Offer {
                            unit_cost: tenth(&mut rng, 8.0, 20.0),
                            quality: tenth(&mut rng, 1.1, 1.5),
                            ..Offer::new(
                                ServiceCategory::PROFESSIONAL,
                                scaled(&mut rng, 100, 300, 1.0),
                            )
                        },
                        Offer {
                            unit_cost: tenth(&mut rng, 3.0, 8.0),
                            ..Offer::new(ServiceCategory::PUBLIC, scaled(&mut rng, 50, 150, 1.0))
                        },
                    ],
                )
            }
            ProviderKind::Volunteer => {
                p.name = format!("District volunteer association {}", k + 1);
                p.capacity = Some(scaled(&mut rng, 100, 300, 1.0));
                (
                    vec![2, 0],
                    vec![
                        Offer::new(ServiceCategory::VOLUNTEER, scaled(&mut rng, 80, 200, 1.0)),
                        Offer::new(ServiceCategory::LIFE, scaled(&mut rng, 40, 120, 1.0)),
                    ],
                )
            }
        };
        p.skills = skills_for(&mut rng, &cats, (density * 2.0).min(1.0));
        p.offers = offers;
        d.providers.push(p);
    }
    d
}

/// A city: `districts` districts of the `district-13` shape, seeded
/// `seed * 1000 + k` for district `k`.
///
/// ```
/// use hubmatch::synthetic::{city, Knobs};
/// let small = Knobs::preset("small").unwrap();
/// let c = city(&small, 1, 3);
/// assert_eq!(c.len(), 3);
/// assert_ne!(c[0].needs, c[1].needs);
/// ```
pub fn city(knobs: &Knobs, seed: u64, districts: usize) -> Vec<District> {
    (0..districts as u64)
        .map(|k| {
            let mut d = generate(knobs, seed.wrapping_mul(1000).wrapping_add(k));
            d.id = format!("district-{:03}", k + 1);
            d
        })
        .collect()
}

/// A random bipartite matching problem of the benchmark family: `needs` needs
/// of 1–3 units with priority 1–5, `providers` providers of capacity 10–100,
/// each need eligible for `degree` random providers (repeats possible) at
/// weight priority × (1..=100).
///
/// ```
/// let p = hubmatch::synthetic::random_bipartite(1, 100, 10, 5);
/// assert_eq!((p.need_count(), p.offer_count(), p.edge_count()), (100, 10, 500));
/// ```
pub fn random_bipartite(
    seed: u64,
    needs: usize,
    providers: usize,
    degree: usize,
) -> crate::graph::BipartiteProblem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let units = (0..needs).map(|_| rng.random_range(1..=3)).collect();
    let capacity = (0..providers).map(|_| rng.random_range(10..=100)).collect();
    let mut edges = Vec::with_capacity(needs * degree);
    for i in 0..needs {
        let priority: i64 = rng.random_range(1..=5);
        for _ in 0..degree {
            edges.push((
                i as u32,
                rng.random_range(0..providers as u32),
                priority * rng.random_range(1..=100),
            ));
        }
    }
    crate::graph::BipartiteProblem::simple(units, capacity, &edges)
}
