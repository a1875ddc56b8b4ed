//! In-process search latency: opens a henkan data directory through the `Service` facade (as the
//! server does), runs every query of a query file `--repeat` times and prints, per query type and
//! overall, the median and p99 of each query's fastest run, in microseconds. No HTTP, no client:
//! the figure to set beside an in-process engine (SQLite FTS5 in bench/search_quality.py).
//!
//! Usage: henkan-search-latency DATA_DIR [QUERIES.tsv] [--repeat N] [--type QUERY_TYPE] [--cold]
//!        [--tsv OUT.tsv]   (each query's type and fastest time in µs, for bench/search_quality.py)

use std::collections::BTreeMap;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let repeat = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(5), |n| n.parse::<usize>())?;
    // Arguments that are neither an option nor an option's value.
    let positional: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || !args[i - 1].starts_with("--")))
        .map(|(_, a)| a)
        .collect();
    let data = positional.first().ok_or("usage: henkan-search-latency DATA_DIR [QUERIES.tsv] [--repeat N]")?;
    let queries_path = positional.get(1).map_or("../../../shared/eval/search-public.tsv", |s| s.as_str());
    let text = std::fs::read_to_string(queries_path).map_err(|e| format!("{queries_path}: {e}"))?;
    let only = args.iter().position(|a| a == "--type").and_then(|i| args.get(i + 1));
    // (type, query, expected `system|code`s)
    let queries: Vec<(String, String, Vec<String>)> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let expected = cols.get(3).map_or(Vec::new(), |e| e.split_whitespace().map(str::to_owned).collect());
            (cols.len() >= 3).then(|| (cols[1].to_owned(), cols[2].to_owned(), expected))
        })
        .filter(|(t, _, _)| only.is_none_or(|o| o == t))
        .collect();
    let service = henkan::Service::open(&henkan::config::StoreConfig::new(data.as_str()))?;
    service.search("warmup", None, None, 10, 0)?;
    // --cold: read 64 MB between queries, as a server's other work does to the caches.
    let trash: Vec<u64> = if args.iter().any(|a| a == "--cold") { vec![1; 8 << 20] } else { Vec::new() };
    let mut best = vec![f64::INFINITY; queries.len()];
    let mut found = vec![false; queries.len()];
    for _ in 0..repeat {
        for (i, (_, q, expected)) in queries.iter().enumerate() {
            std::hint::black_box(trash.iter().sum::<u64>());
            let t = Instant::now();
            let answer = service.search(q, None, None, 10, 0)?;
            best[i] = best[i].min(t.elapsed().as_secs_f64() * 1e6);
            found[i] = answer.results.iter().any(|h| expected.contains(&format!("{}|{}", h.system, h.code)));
        }
    }
    if let Some(out) = args.iter().position(|a| a == "--tsv").and_then(|i| args.get(i + 1)) {
        let mut text = String::from("type\tquery\tus\n");
        for ((t, q, _), us) in queries.iter().zip(&best) {
            text.push_str(&format!("{t}\t{q}\t{us:.1}\n"));
        }
        std::fs::write(out, text).map_err(|e| format!("{out}: {e}"))?;
    }
    let mut by_type: BTreeMap<&str, Vec<(f64, bool)>> = BTreeMap::new();
    for (((t, _, _), us), ok) in queries.iter().zip(&best).zip(&found) {
        by_type.entry(t.as_str()).or_default().push((*us, *ok));
        by_type.entry("(all)").or_default().push((*us, *ok));
    }
    println!(
        "{:<16} {:>6} {:>9} {:>9} {:>10}   (µs, fastest of {repeat} runs per query)",
        "type", "n", "p50", "p99", "recall@10"
    );
    for (t, v) in &mut by_type {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        let pct = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)].0;
        let recall = v.iter().filter(|x| x.1).count() as f64 / v.len() as f64;
        println!("{t:<16} {:>6} {:>9.1} {:>9.1} {recall:>10.3}", v.len(), pct(0.5), pct(0.99));
    }
    Ok(())
}
