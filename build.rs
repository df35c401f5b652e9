// Embeds everything under templates/ into the binary, so devgen needs no files at run time.
fn main() {
    minijinja_embed::embed_templates!("templates");
}
