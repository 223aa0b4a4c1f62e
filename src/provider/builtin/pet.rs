//! Words for `random_pet`: adverbs, an adjective, an animal, as the
//! provider composes them (one word: an animal; two: adjective-animal;
//! more: adverbs first). drinfra's own short lists, so names differ from
//! the provider's in vocabulary, not in shape.

use crate::random::{Os, RandomError, Source};

const ADVERBS: &[&str] = &[
    "boldly",
    "briskly",
    "calmly",
    "cheerfully",
    "closely",
    "deeply",
    "eagerly",
    "evenly",
    "fairly",
    "firmly",
    "freely",
    "gently",
    "gladly",
    "greatly",
    "happily",
    "honestly",
    "kindly",
    "lightly",
    "loudly",
    "merely",
    "neatly",
    "nicely",
    "openly",
    "partly",
    "politely",
    "quickly",
    "quietly",
    "rapidly",
    "rarely",
    "really",
    "safely",
    "sharply",
    "simply",
    "slowly",
    "smoothly",
    "softly",
    "solely",
    "steadily",
    "strongly",
    "surely",
    "swiftly",
    "tightly",
    "truly",
    "vastly",
    "warmly",
    "widely",
    "wildly",
    "wisely",
];

const ADJECTIVES: &[&str] = &[
    "able", "amused", "bold", "brave", "bright", "calm", "clever", "cool", "crisp", "daring",
    "eager", "early", "easy", "fair", "fancy", "fast", "fine", "fit", "fond", "free", "fresh",
    "game", "glad", "golden", "grand", "great", "handy", "happy", "hardy", "keen", "kind", "light",
    "lively", "loyal", "lucky", "merry", "mighty", "modest", "neat", "noble", "proud", "quick",
    "quiet", "rapid", "ready", "safe", "sharp", "smart", "solid", "steady", "sunny", "swift",
    "tidy", "true", "vital", "warm", "wise", "witty",
];

const ANIMALS: &[&str] = &[
    "alpaca", "badger", "beaver", "bison", "bobcat", "camel", "cheetah", "condor", "coyote",
    "crane", "dingo", "dolphin", "eagle", "egret", "falcon", "ferret", "finch", "gazelle", "gecko",
    "gibbon", "heron", "hornet", "ibex", "impala", "jackal", "jaguar", "koala", "lemur", "lynx",
    "macaw", "marmot", "marten", "mink", "moose", "narwhal", "ocelot", "osprey", "otter", "owl",
    "panda", "pelican", "puffin", "quail", "raven", "robin", "salmon", "seal", "sparrow", "stork",
    "tapir", "tiger", "toucan", "walrus", "weasel", "wombat", "yak", "zebra",
];

fn one(list: &[&str]) -> Result<String, RandomError> {
    Ok(list[Os.below(list.len() as u64)? as usize].to_string())
}

/// `words` words naming a pet.
pub fn name(words: usize) -> Result<Vec<String>, RandomError> {
    let mut out = Vec::with_capacity(words);
    for _ in 2..words {
        out.push(one(ADVERBS)?);
    }
    if words >= 2 {
        out.push(one(ADJECTIVES)?);
    }
    out.push(one(ANIMALS)?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_have_the_asked_number_of_words() {
        assert_eq!(super::name(1).unwrap().len(), 1);
        let three = super::name(3).unwrap();
        assert_eq!(three.len(), 3);
        assert!(super::ANIMALS.contains(&three[2].as_str()));
        assert!(super::ADVERBS.contains(&three[0].as_str()));
    }
}
