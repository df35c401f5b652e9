fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let toks = rnix::tokenize(&text).count();
        let t1 = t.elapsed();
        let t = std::time::Instant::now();
        let p = rnix::Root::parse(&text);
        let t2 = t.elapsed();
        let t = std::time::Instant::now();
        drop(p);
        let t3 = t.elapsed();
        println!(
            "tokenize {toks} tokens {:?}; parse {:?}; drop {:?}",
            t1, t2, t3
        );
    }
}
