//! Azure's region pairs as Microsoft publishes them ("Azure region pairs
//! and nonpaired regions", learn.microsoft.com). One table for the
//! provider (a GRS account's secondary, `provider/azure/objectives.rs`) and
//! the emulator (where it puts that secondary), which may not import each
//! other.

/// `(region, its pair)`. Most pairs are mutual; a few are one-way (West US
/// 3's pair is East US, whose pair is West US; Brazil South's is South
/// Central US, whose pair is North Central US). Regions missing here (newer
/// ones such as Poland Central or Italy North) have no pair.
pub const PAIRS: &[(&str, &str)] = &[
    ("eastasia", "southeastasia"),
    ("southeastasia", "eastasia"),
    ("australiaeast", "australiasoutheast"),
    ("australiasoutheast", "australiaeast"),
    ("australiacentral", "australiacentral2"),
    ("australiacentral2", "australiacentral"),
    ("brazilsouth", "southcentralus"),
    ("brazilsoutheast", "brazilsouth"),
    ("canadacentral", "canadaeast"),
    ("canadaeast", "canadacentral"),
    ("chinanorth", "chinaeast"),
    ("chinaeast", "chinanorth"),
    ("chinanorth2", "chinaeast2"),
    ("chinaeast2", "chinanorth2"),
    ("chinanorth3", "chinaeast3"),
    ("chinaeast3", "chinanorth3"),
    ("northeurope", "westeurope"),
    ("westeurope", "northeurope"),
    ("francecentral", "francesouth"),
    ("francesouth", "francecentral"),
    ("germanywestcentral", "germanynorth"),
    ("germanynorth", "germanywestcentral"),
    ("centralindia", "southindia"),
    ("southindia", "centralindia"),
    ("westindia", "southindia"),
    ("jioindiawest", "jioindiacentral"),
    ("jioindiacentral", "jioindiawest"),
    ("japaneast", "japanwest"),
    ("japanwest", "japaneast"),
    ("koreacentral", "koreasouth"),
    ("koreasouth", "koreacentral"),
    ("eastus", "westus"),
    ("westus", "eastus"),
    ("eastus2", "centralus"),
    ("centralus", "eastus2"),
    ("northcentralus", "southcentralus"),
    ("southcentralus", "northcentralus"),
    ("westus2", "westcentralus"),
    ("westcentralus", "westus2"),
    ("westus3", "eastus"),
    ("norwayeast", "norwaywest"),
    ("norwaywest", "norwayeast"),
    ("southafricanorth", "southafricawest"),
    ("southafricawest", "southafricanorth"),
    ("swedencentral", "swedensouth"),
    ("swedensouth", "swedencentral"),
    ("switzerlandnorth", "switzerlandwest"),
    ("switzerlandwest", "switzerlandnorth"),
    ("uaenorth", "uaecentral"),
    ("uaecentral", "uaenorth"),
    ("uksouth", "ukwest"),
    ("ukwest", "uksouth"),
    ("usgovvirginia", "usgovtexas"),
    ("usgovtexas", "usgovvirginia"),
    ("usgovarizona", "usgovtexas"),
    ("usdodeast", "usdodcentral"),
    ("usdodcentral", "usdodeast"),
];

/// A region's pair (the region as ARM or azurerm writes it: any case,
/// display names with spaces too); None for a nonpaired region.
pub fn paired(region: &str) -> Option<&'static str> {
    let region = region.to_lowercase().replace(' ', "");
    PAIRS
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, pair)| *pair)
}

#[cfg(test)]
mod tests {
    use super::{PAIRS, paired};

    #[test]
    fn region_pairs_are_azures_published_ones() {
        for (region, pair) in [
            ("swedencentral", "swedensouth"),
            ("eastus", "westus"),
            ("westus", "eastus"),
            ("westus3", "eastus"),
            ("westeurope", "northeurope"),
            ("eastus2", "centralus"),
            ("brazilsouth", "southcentralus"),
            ("southcentralus", "northcentralus"),
            ("westindia", "southindia"),
            ("GermanyWestCentral", "germanynorth"),
        ] {
            assert_eq!(paired(region), Some(pair), "{region}");
        }
        for nonpaired in [
            "polandcentral",
            "italynorth",
            "israelcentral",
            "qatarcentral",
        ] {
            assert_eq!(paired(nonpaired), None, "{nonpaired}");
        }
        // One entry per region; each pair is a region of the table; the
        // pairing is mutual except Azure's published one-way pairs.
        let one_way = [
            "westus3",
            "brazilsouth",
            "brazilsoutheast",
            "westindia",
            "usgovarizona",
        ];
        for (i, (region, pair)) in PAIRS.iter().enumerate() {
            assert!(
                !PAIRS[..i].iter().any(|(r, _)| r == region),
                "{region} listed twice"
            );
            assert!(
                region != pair && paired(pair).is_some(),
                "{region} -> {pair}"
            );
            if !one_way.contains(region) {
                assert_eq!(paired(pair), Some(*region), "{region} <-> {pair}");
            }
        }
    }
}
