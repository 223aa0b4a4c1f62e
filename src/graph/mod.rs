//! A directed acyclic graph of opaque nodes: ordering, cycles, export.
//!
//! Knows nothing of resources or configuration: nodes are any `Ord + Clone`
//! key, and edges read "`from` depends on `to`".

mod walk;
pub use walk::Walk;

use std::collections::BTreeMap;
use std::fmt::Display;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

#[derive(Debug, Clone)]
pub struct Dag<N: Ord + Clone> {
    graph: DiGraph<N, ()>,
    index: BTreeMap<N, NodeIndex>,
}

impl<N: Ord + Clone> Default for Dag<N> {
    fn default() -> Self {
        Dag {
            graph: DiGraph::new(),
            index: BTreeMap::new(),
        }
    }
}

impl<N: Ord + Clone> Dag<N> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, n: N) -> NodeIndex {
        if let Some(i) = self.index.get(&n) {
            return *i;
        }
        let i = self.graph.add_node(n.clone());
        self.index.insert(n, i);
        i
    }

    /// Records that `from` depends on `to` (so `to` comes first).
    pub fn depend(&mut self, from: N, to: N) {
        let a = self.add(from);
        let b = self.add(to);
        if a != b && self.graph.find_edge(a, b).is_none() {
            self.graph.add_edge(a, b, ());
        }
    }

    pub fn contains(&self, n: &N) -> bool {
        self.index.contains_key(n)
    }

    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    pub fn nodes(&self) -> impl Iterator<Item = &N> {
        self.index.keys()
    }

    /// What `n` depends on directly.
    pub fn dependencies(&self, n: &N) -> Vec<&N> {
        self.neighbors(n, Direction::Outgoing)
    }

    /// What depends on `n` directly.
    pub fn dependents(&self, n: &N) -> Vec<&N> {
        self.neighbors(n, Direction::Incoming)
    }

    fn neighbors(&self, n: &N, dir: Direction) -> Vec<&N> {
        let Some(i) = self.index.get(n) else {
            return vec![];
        };
        let mut out: Vec<&N> = self
            .graph
            .neighbors_directed(*i, dir)
            .map(|j| &self.graph[j])
            .collect();
        out.sort();
        out
    }

    /// Every node `n` depends on, directly or not.
    pub fn ancestors(&self, n: &N) -> Vec<&N> {
        let Some(&start) = self.index.get(n) else {
            return vec![];
        };
        let mut seen = vec![false; self.graph.node_count()];
        let mut stack = vec![start];
        let mut out = Vec::new();
        while let Some(i) = stack.pop() {
            for j in self.graph.neighbors_directed(i, Direction::Outgoing) {
                if !seen[j.index()] {
                    seen[j.index()] = true;
                    out.push(&self.graph[j]);
                    stack.push(j);
                }
            }
        }
        out.sort();
        out
    }

    /// Groups of nodes that depend on each other (each a cycle), largest first.
    pub fn cycles(&self) -> Vec<Vec<N>> {
        let mut out: Vec<Vec<N>> = petgraph::algo::kosaraju_scc(&self.graph)
            .into_iter()
            .filter(|c| c.len() > 1 || self.graph.find_edge(c[0], c[0]).is_some())
            .map(|c| {
                let mut v: Vec<N> = c.into_iter().map(|i| self.graph[i].clone()).collect();
                v.sort();
                v
            })
            .collect();
        // Kosaraju's algorithm, unlike petgraph's Tarjan, does not recurse:
        // a chain of 20,000 locals overflowed the stack. Its output order
        // differs, so order fully: largest first, then by members.
        out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        out
    }

    /// Nodes ordered so every node comes after what it depends on, ties
    /// broken by node order; `Err` with the cycles if there are any.
    pub fn order(&self) -> Result<Vec<N>, Vec<Vec<N>>> {
        let cycles = self.cycles();
        if !cycles.is_empty() {
            return Err(cycles);
        }
        let n = self.graph.node_count();
        let mut remaining: Vec<usize> = (0..n)
            .map(|i| {
                self.graph
                    .neighbors_directed(NodeIndex::new(i), Direction::Outgoing)
                    .count()
            })
            .collect();
        let mut ready: std::collections::BTreeSet<(N, usize)> = (0..n)
            .filter(|i| remaining[*i] == 0)
            .map(|i| (self.graph[NodeIndex::new(i)].clone(), i))
            .collect();
        let mut out = Vec::with_capacity(n);
        while let Some((node, i)) = ready.pop_first() {
            out.push(node);
            for j in self
                .graph
                .neighbors_directed(NodeIndex::new(i), Direction::Incoming)
            {
                remaining[j.index()] -= 1;
                if remaining[j.index()] == 0 {
                    ready.insert((self.graph[j].clone(), j.index()));
                }
            }
        }
        Ok(out)
    }
}

impl<N: Ord + Clone + Display> Dag<N> {
    /// Graphviz DOT; edges point from a node to what it depends on.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph {\n  rankdir = \"RL\";\n  node [shape = rect];\n");
        for n in self.index.keys() {
            out.push_str(&format!(
                "  {};\n",
                serde_json::Value::String(n.to_string())
            ));
        }
        for (a, b) in self.sorted_edges() {
            out.push_str(&format!(
                "  {} -> {};\n",
                serde_json::Value::String(a.to_string()),
                serde_json::Value::String(b.to_string())
            ));
        }
        out.push_str("}\n");
        out
    }

    /// A Mermaid flowchart.
    pub fn to_mermaid(&self) -> String {
        let ids: BTreeMap<&N, usize> = self.index.keys().enumerate().map(|(i, n)| (n, i)).collect();
        let mut out = String::from("flowchart RL\n");
        for (n, i) in &ids {
            out.push_str(&format!(
                "  n{i}[\"{}\"]\n",
                n.to_string().replace('"', "#quot;")
            ));
        }
        for (a, b) in self.sorted_edges() {
            out.push_str(&format!("  n{} --> n{}\n", ids[a], ids[b]));
        }
        out
    }

    fn sorted_edges(&self) -> Vec<(&N, &N)> {
        let mut edges: Vec<(&N, &N)> = self
            .graph
            .edge_indices()
            .filter_map(|e| self.graph.edge_endpoints(e))
            .map(|(a, b)| (&self.graph[a], &self.graph[b]))
            .collect();
        edges.sort();
        edges
    }
}

#[cfg(test)]
mod tests {
    use super::Dag;

    #[test]
    fn orders_dependencies_first() {
        let mut g = Dag::new();
        g.depend("c", "b");
        g.depend("b", "a");
        g.depend("d", "a");
        assert_eq!(g.order().unwrap(), ["a", "b", "c", "d"]);
        assert_eq!(g.ancestors(&"c"), [&"a", &"b"]);
        assert_eq!(g.dependents(&"a"), [&"b", &"d"]);
    }

    #[test]
    fn reports_cycles() {
        let mut g = Dag::new();
        g.depend("a", "b");
        g.depend("b", "c");
        g.depend("c", "a");
        g.depend("d", "a");
        assert_eq!(g.order().unwrap_err(), vec![vec!["a", "b", "c"]]);
    }

    #[test]
    fn exports() {
        let mut g = Dag::new();
        g.depend("x.b", "x.a");
        assert!(g.to_dot().contains("\"x.b\" -> \"x.a\";"));
        assert!(g.to_mermaid().contains("n1 --> n0"));
    }
}
