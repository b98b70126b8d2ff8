//! `skills/<name>/SKILL.md`: YAML frontmatter (`name`, `description`, `tool`) and a prompt body.

use serde::Deserialize;

/// One loaded skill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skill {
    /// Equals its folder name.
    pub name: String,
    /// One or two sentences (shown on the agent card).
    pub description: String,
    /// The registered tool that implements it.
    pub tool: String,
    /// Tags for the agent card.
    pub tags: Vec<String>,
    /// Example requests for the agent card.
    pub examples: Vec<String>,
    /// The markdown body: prompt text for the model, description of the tool.
    pub prompt: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Frontmatter {
    name: String,
    description: String,
    tool: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    examples: Vec<String>,
}

/// What is wrong with a SKILL.md.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkillError {
    #[error(
        "no YAML frontmatter: the file must start with a line '---', the keys, and a closing '---'"
    )]
    NoFrontmatter,
    #[error("frontmatter: {message}")]
    BadFrontmatter { line: Option<u64>, message: String },
    #[error("frontmatter name '{found}' must equal its folder name '{folder}'")]
    NameMismatch { found: String, folder: String },
    #[error("frontmatter '{0}' is empty")]
    Empty(&'static str),
}

impl SkillError {
    /// The line in SKILL.md the problem is on, when known (1-based).
    pub fn line(&self) -> Option<u64> {
        match self {
            SkillError::BadFrontmatter { line, .. } => *line,
            SkillError::NameMismatch { .. } | SkillError::Empty(_) => Some(2),
            SkillError::NoFrontmatter => Some(1),
        }
    }
}

/// Parses a SKILL.md found in folder `folder`.
pub fn parse_skill(folder: &str, text: &str) -> Result<Skill, SkillError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(SkillError::NoFrontmatter);
    }
    let mut front = String::new();
    let mut closed = false;
    let mut consumed = first.len();
    for line in lines.by_ref() {
        consumed += line.len();
        if line.trim_end() == "---" {
            closed = true;
            break;
        }
        front.push_str(line);
    }
    if !closed {
        return Err(SkillError::NoFrontmatter);
    }
    let fm: Frontmatter =
        serde_saphyr::from_str(&front).map_err(|e| SkillError::BadFrontmatter {
            // +1: the frontmatter starts on the file's second line.
            line: e.location().map(|l| l.line() + 1),
            message: first_line_of(&e.to_string()),
        })?;
    if fm.name != folder {
        return Err(SkillError::NameMismatch {
            found: fm.name,
            folder: folder.to_owned(),
        });
    }
    if fm.description.trim().is_empty() {
        return Err(SkillError::Empty("description"));
    }
    if fm.tool.trim().is_empty() {
        return Err(SkillError::Empty("tool"));
    }
    Ok(Skill {
        name: fm.name,
        description: fm.description.trim().to_owned(),
        tool: fm.tool.trim().to_owned(),
        tags: fm.tags,
        examples: fm.examples,
        prompt: text[consumed..].trim().to_owned(),
    })
}

fn first_line_of(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(text: &str, expected: Result<(&str, &str), &str>) {
        match (parse_skill("gather_eks_state", text), expected) {
            (Ok(s), Ok((tool, prompt))) => {
                assert_eq!(s.tool, tool);
                assert_eq!(s.prompt, prompt);
            }
            (Err(e), Err(want)) => assert!(e.to_string().contains(want), "{e} !~ {want}"),
            (got, want) => panic!("{text:?}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn skill_files() {
        let good = "---\nname: gather_eks_state\ndescription: Pods, events, logs.\ntool: gather_eks_state\n---\n\n# Body\nLook at pods.\n";
        check(good, Ok(("gather_eks_state", "# Body\nLook at pods.")));
        check("# no frontmatter", Err("no YAML frontmatter"));
        check("---\nname: x\n", Err("no YAML frontmatter"));
        check(
            "---\nname: other\ndescription: d\ntool: t\n---\n",
            Err("must equal its folder name"),
        );
        check(
            "---\nname: gather_eks_state\ndescription: d\n---\n",
            Err("frontmatter"),
        );
        check(
            "---\nname: gather_eks_state\ndescription: d\ntool: t\ncolour: red\n---\n",
            Err("frontmatter"),
        );
        check(
            "---\nname: gather_eks_state\ndescription: '  '\ntool: t\n---\n",
            Err("'description' is empty"),
        );
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in ".{0,200}") {
            let _ = parse_skill("x", &s);
            let _ = parse_skill("x", &format!("---\n{s}\n---\nbody"));
        }
    }
}
