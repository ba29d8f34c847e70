//! The `hubmatch` command-line tool.
fn main() {
    let d = hubmatch::io::json::read_district("tests/data/example.json").unwrap();
    let ix = d.validate().unwrap();
    for mode in [hubmatch::solve::Mode::Pooled, hubmatch::solve::Mode::PerCommunity] {
        let r = hubmatch::solve::match_district(&ix, mode, &Default::default(), None).unwrap();
        println!("{:?} {}", mode, r.objective);
        for a in &r.assignments { println!("  {:?}", a); }
        for u in &r.unmet { println!("  {:?}", u); }
    }
}
