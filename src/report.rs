//! The readable report: plain-text tables built from result summaries.

use std::fmt::Write;

use hubmatch::io::results::Summary;

fn pct(part: i64, whole: i64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

fn thousands(v: i64) -> String {
    let s = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0 { format!("-{out}") } else { out }
}

fn signed(v: i64) -> String {
    if v > 0 {
        format!("+{}", thousands(v))
    } else {
        thousands(v)
    }
}

fn points(v: f64) -> String {
    let tenths = (v.abs() * 10.0).round() as i64;
    let sign = if v < 0.0 && tenths > 0 { "-" } else { "" };
    format!("{sign}{}.{}", thousands(tenths / 10), tenths % 10)
}

fn header(s: &Summary) -> String {
    format!(
        "District {}: {} communities, {} units needed by {} needs\n",
        s.district,
        s.by_community.len(),
        thousands(s.needed),
        thousands(s.need_count as i64),
    )
}

/// Report of one result.
pub fn single(s: &Summary) -> String {
    let mut o = header(s);
    let _ = writeln!(
        o,
        "Mode {}: objective {} points; served {} of {} units ({}); unmet {}.\n",
        s.mode,
        points(s.objective),
        thousands(s.served),
        thousands(s.needed),
        pct(s.served, s.needed),
        thousands(s.unmet)
    );
    let _ = writeln!(
        o,
        "{:<16}{:>10}{:>10}{:>9}",
        "community", "needed", "served", "cover"
    );
    for (c, v) in &s.by_community {
        let _ = writeln!(
            o,
            "{:<16}{:>10}{:>10}{:>9}",
            c,
            thousands(v.needed),
            thousands(v.served),
            pct(v.served, v.needed)
        );
    }
    let _ = writeln!(
        o,
        "\n{:<16}{:>10}{:>10}{:>9}",
        "service system", "needed", "served", "cover"
    );
    for (c, v) in &s.by_category {
        let _ = writeln!(
            o,
            "{:<16}{:>10}{:>10}{:>9}",
            c,
            thousands(v.needed),
            thousands(v.served),
            pct(v.served, v.needed)
        );
    }
    kinds(&mut o, s);
    if let Some(e) = &s.equity {
        let _ = writeln!(
            o,
            "\nequity across communities: lowest coverage {:.1}% ({}), Jain's index {:.3}, Gini {:.3}",
            100.0 * e.min_coverage,
            e.worst_off,
            e.jain,
            e.gini
        );
    }
    if !s.floors.is_empty() {
        let _ = writeln!(
            o,
            "\ncoverage floors (price: points one unit less required would add)"
        );
        for f in &s.floors {
            let _ = writeln!(
                o,
                "  {:<24} required {:>7} of {:>7}, served {:>7}, price {:>8.1}",
                f.floor,
                thousands(f.required),
                thousands(f.needed),
                thousands(f.served),
                f.price
            );
        }
    }
    if !s.sectors.is_empty() {
        let _ = writeln!(o, "\nsector bounds (share of the category's served units)");
        for b in &s.sectors {
            let share = if b.served == 0 {
                0.0
            } else {
                100.0 * b.served_by_kind as f64 / b.served as f64
            };
            let _ = writeln!(
                o,
                "  {:<20} {:<14} {:<8} {:>5.1}%  in {:<10} served {:>5.1}% ({} of {})",
                b.kind,
                b.category,
                b.limit.replace('_', " "),
                100.0 * b.share,
                b.community.as_deref().unwrap_or("district"),
                share,
                thousands(b.served_by_kind),
                thousands(b.served)
            );
        }
        if let Some(ub) = s.upper_bound {
            let gap = ub - s.objective;
            let _ = writeln!(
                o,
                "  upper bound {ub:.1}: {}",
                if gap.abs() < 5e-4 {
                    "the allocation is proven optimal".to_owned()
                } else {
                    format!("the allocation is within {gap:.1} points of the optimum")
                }
            );
        }
    }
    let _ = writeln!(o, "\nwhy units were left unmet");
    for (r, u) in &s.unmet_by_reason {
        let _ = writeln!(o, "  {:<22}{:>10}", r, thousands(*u));
    }
    let _ = writeln!(
        o,
        "\n{} networks, {} needs in {} classes, {} edges, {} pivots",
        s.networks,
        thousands(s.needs as i64),
        thousands(s.classes as i64),
        thousands(s.edges as i64),
        thousands(s.pivots as i64)
    );
    o
}

fn kinds(o: &mut String, s: &Summary) {
    let _ = writeln!(
        o,
        "\n{:<20}{:>10}{:>10}{:>13}{:>10}",
        "provider kind", "capacity", "served", "utilisation", "share"
    );
    for (k, v) in &s.by_kind {
        let _ = writeln!(
            o,
            "{:<20}{:>10}{:>10}{:>13}{:>10}",
            k,
            thousands(v.capacity),
            thousands(v.served),
            pct(v.served, v.capacity),
            pct(v.served, s.served)
        );
    }
}

/// Report comparing the hub (pooled) with isolated communities.
pub fn comparison(pooled: &Summary, alone: &Summary) -> String {
    let mut o = header(pooled);
    let gain = pooled.objective - alone.objective;
    let rel = if alone.objective.abs() > 0.0 {
        format!(" ({:+.1}%)", 100.0 * gain / alone.objective.abs())
    } else {
        String::new()
    };
    let _ = writeln!(
        o,
        "\n{:<22}{:>18}{:>18}{:>18}",
        "", "per community", "pooled (hub)", "hub adds"
    );
    let _ = writeln!(
        o,
        "{:<22}{:>18}{:>18}{:>18}",
        "objective (points)",
        points(alone.objective),
        points(pooled.objective),
        format!("{}{rel}", points(gain))
    );
    let _ = writeln!(
        o,
        "{:<22}{:>18}{:>18}{:>18}",
        "units served",
        format!(
            "{} ({})",
            thousands(alone.served),
            pct(alone.served, alone.needed)
        ),
        format!(
            "{} ({})",
            thousands(pooled.served),
            pct(pooled.served, pooled.needed)
        ),
        signed(pooled.served - alone.served)
    );
    let _ = writeln!(
        o,
        "{:<22}{:>18}{:>18}{:>18}",
        "units unmet",
        thousands(alone.unmet),
        thousands(pooled.unmet),
        signed(pooled.unmet - alone.unmet)
    );

    if let (Some(a), Some(p)) = (&alone.equity, &pooled.equity) {
        let _ = writeln!(
            o,
            "{:<22}{:>18}{:>18}{:>18}",
            "lowest coverage",
            format!("{:.1}% ({})", 100.0 * a.min_coverage, a.worst_off),
            format!("{:.1}% ({})", 100.0 * p.min_coverage, p.worst_off),
            format!("{:+.1} pts", 100.0 * (p.min_coverage - a.min_coverage))
        );
        let _ = writeln!(
            o,
            "{:<22}{:>18.3}{:>18.3}{:>18}",
            "Jain's index",
            a.jain,
            p.jain,
            format!("{:+.3}", p.jain - a.jain)
        );
        let _ = writeln!(
            o,
            "{:<22}{:>18.3}{:>18.3}{:>18}",
            "Gini of coverage",
            a.gini,
            p.gini,
            format!("{:+.3}", p.gini - a.gini)
        );
    }
    let _ = writeln!(o, "\nBy community: units served alone vs with the hub");
    let _ = writeln!(
        o,
        "{:<12}{:>9}{:>10}{:>8}{:>10}{:>8}{:>9}{:>13}",
        "community", "needed", "alone", "cover", "pooled", "cover", "gain", "points gain"
    );
    for (c, p) in &pooled.by_community {
        let a = alone.by_community.get(c).cloned().unwrap_or_default();
        let _ = writeln!(
            o,
            "{:<12}{:>9}{:>10}{:>8}{:>10}{:>8}{:>9}{:>13}",
            c,
            thousands(p.needed),
            thousands(a.served),
            pct(a.served, a.needed),
            thousands(p.served),
            pct(p.served, p.needed),
            signed(p.served - a.served),
            points(p.weight - a.weight)
        );
    }
    let _ = writeln!(o, "\nBy service system");
    let _ = writeln!(
        o,
        "{:<16}{:>9}{:>10}{:>8}{:>10}{:>8}{:>9}",
        "system", "needed", "alone", "cover", "pooled", "cover", "gain"
    );
    for (c, p) in &pooled.by_category {
        let a = alone.by_category.get(c).cloned().unwrap_or_default();
        let _ = writeln!(
            o,
            "{:<16}{:>9}{:>10}{:>8}{:>10}{:>8}{:>9}",
            c,
            thousands(p.needed),
            thousands(a.served),
            pct(a.served, a.needed),
            thousands(p.served),
            pct(p.served, p.needed),
            signed(p.served - a.served)
        );
    }
    let _ = writeln!(
        o,
        "\nWho served: provider-kind mix and utilisation (pooled; per community in brackets)"
    );
    let _ = writeln!(
        o,
        "{:<20}{:>10}{:>18}{:>16}{:>14}",
        "provider kind", "capacity", "served", "utilisation", "share"
    );
    for (k, p) in &pooled.by_kind {
        let a = alone.by_kind.get(k).cloned().unwrap_or_default();
        let _ = writeln!(
            o,
            "{:<20}{:>10}{:>18}{:>16}{:>14}",
            k,
            thousands(p.capacity),
            format!("{} [{}]", thousands(p.served), thousands(a.served)),
            format!(
                "{} [{}]",
                pct(p.served, p.capacity),
                pct(a.served, a.capacity)
            ),
            pct(p.served, pooled.served)
        );
    }
    let _ = writeln!(
        o,
        "\nWhy units were left unmet            per community        pooled"
    );
    let mut reasons: Vec<&String> = pooled
        .unmet_by_reason
        .keys()
        .chain(alone.unmet_by_reason.keys())
        .collect();
    reasons.sort();
    reasons.dedup();
    for r in reasons {
        let _ = writeln!(
            o,
            "  {:<28}{:>16}{:>14}",
            r,
            thousands(*alone.unmet_by_reason.get(r).unwrap_or(&0)),
            thousands(*pooled.unmet_by_reason.get(r).unwrap_or(&0))
        );
    }
    let _ = writeln!(
        o,
        "\nSolved exactly: {} + {} networks, {} + {} edges, {} + {} pivots; every optimum certified.",
        alone.networks,
        pooled.networks,
        thousands(alone.edges as i64),
        thousands(pooled.edges as i64),
        thousands(alone.pivots as i64),
        thousands(pooled.pivots as i64)
    );
    o
}

/// One row of `sweep.csv`: a scenario's outcome against the base.
#[derive(serde::Serialize)]
pub struct SweepRow {
    scenario: String,
    objective: f64,
    served: i64,
    unmet: i64,
    objective_change: f64,
    served_change: i64,
    warm_networks: usize,
    networks: usize,
}

impl SweepRow {
    /// The row of `result` (of `district`) against `base`.
    pub fn new(
        name: &str,
        district: &hubmatch::District,
        result: &hubmatch::solve::MatchResult,
        base: &hubmatch::solve::MatchResult,
    ) -> SweepRow {
        let served: i64 = result.assignments.iter().map(|a| a.units).sum();
        let base_served: i64 = base.assignments.iter().map(|a| a.units).sum();
        let needed: i64 = district.needs.iter().map(|n| n.units).sum();
        SweepRow {
            scenario: name.to_owned(),
            objective: result.objective as f64 / 1000.0,
            served,
            unmet: needed - served,
            objective_change: (result.objective - base.objective) as f64 / 1000.0,
            served_change: served - base_served,
            warm_networks: result.stats.warm,
            networks: result.stats.networks,
        }
    }
}

/// The table of a sweep.
pub fn sweep(rows: &[SweepRow]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:<32}{:>16}{:>10}{:>10}{:>16}{:>10}{:>8}",
        "scenario", "objective", "served", "unmet", "change", "served", "warm"
    );
    for r in rows {
        let _ = writeln!(
            o,
            "{:<32}{:>16}{:>10}{:>10}{:>16}{:>10}{:>8}",
            r.scenario,
            points(r.objective),
            thousands(r.served),
            thousands(r.unmet),
            points(r.objective_change),
            signed(r.served_change),
            format!("{}/{}", r.warm_networks, r.networks)
        );
    }
    o
}
