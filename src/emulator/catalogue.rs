//! What workloads refer to, per account and Region: lenses (the AWS official
//! ones, the same everywhere; custom ones an account imports with
//! ImportLens, publishes with CreateLensVersion and shares with
//! CreateLensShare), profiles and review templates. CreateWorkload,
//! AssociateLenses, AssociateProfiles and CreateReviewTemplate ask it
//! whether what they name exists for the caller, and refuse what does not
//! with the model's ResourceNotFoundException, as AWS does.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};

use super::auth::Tenant;
use super::error::ApiError;
use super::lens::{LensContent, OFFICIAL_VERSION, official, official_content};
use super::review::{LensRef, Review};

/// A custom lens: its draft and its published versions.
#[derive(Debug, Clone)]
struct CustomLens {
    arn: String,
    owner: Tenant,
    draft: Option<LensContent>,
    /// Oldest first.
    versions: Vec<(String, LensContent)>,
    /// Accounts it is shared with.
    shared_with: Vec<String>,
    updated_at: f64,
}

/// A profile, as CreateProfile made it.
#[derive(Debug, Clone)]
struct Profile {
    arn: String,
    owner: Tenant,
    name: String,
    description: String,
    questions: Value,
    created_at: f64,
}

/// A review template, as CreateReviewTemplate made it.
#[derive(Debug, Clone)]
struct Template {
    arn: String,
    owner: Tenant,
    name: String,
    description: String,
    lenses: Vec<String>,
    notes: Option<String>,
    updated_at: f64,
    /// A review of each of its lenses, by the lens's alias.
    reviews: BTreeMap<String, Review>,
}

/// A lens as the caller sees it.
pub struct LensView {
    pub arn: String,
    /// The alias of an official lens; the ARN of a custom one.
    pub alias: String,
    pub name: String,
    pub description: String,
    /// `AWS_OFFICIAL`, `CUSTOM_SELF` or `CUSTOM_SHARED`.
    pub lens_type: &'static str,
    /// The latest published version; none for a lens only drafted.
    pub version: Option<String>,
    pub drafted: bool,
    pub owner: Option<String>,
    pub updated_at: f64,
}

impl LensView {
    /// The `LensSummary` shape.
    pub fn summary(&self) -> Value {
        let mut summary = json!({
            "LensArn": self.arn,
            "LensAlias": self.alias,
            "LensName": self.name,
            "LensType": self.lens_type,
            "Description": self.description,
            "LensStatus": "CURRENT",
            "UpdatedAt": self.updated_at,
        });
        if let Some(version) = &self.version {
            summary["LensVersion"] = version.clone().into();
        }
        if let Some(owner) = &self.owner {
            summary["Owner"] = owner.clone().into();
        }
        summary
    }
}

#[derive(Default)]
pub struct Catalogue {
    lenses: BTreeMap<String, CustomLens>,
    profiles: BTreeMap<String, Profile>,
    templates: BTreeMap<String, Template>,
    /// (operation, caller, token) → (what it asked, what it made).
    tokens: HashMap<(&'static str, Tenant, String), (String, String)>,
    ids: Option<StdRng>,
}

impl Catalogue {
    fn ids(&mut self) -> &mut StdRng {
        self.ids.get_or_insert_with(|| StdRng::seed_from_u64(0))
    }
}

/// The id of the profile and of the review template every emulator holds
/// in its home account and Region (for the samples): in the default home,
/// [`EXAMPLE_PROFILE`] and [`EXAMPLE_TEMPLATE`].
const EXAMPLE_ID: &str = "0123456789abcdef0123456789abcdef";
pub const EXAMPLE_PROFILE: &str =
    "arn:aws:wellarchitected:us-east-1:123456789012:profile/0123456789abcdef0123456789abcdef";
pub const EXAMPLE_TEMPLATE: &str =
    "arn:aws:wellarchitected:us-east-1:123456789012:review-template/0123456789abcdef0123456789abcdef";

/// `arn:aws:wellarchitected:{region}::lens/{alias}`, an official lens's ARN.
fn official_arn(region: &str, alias: &str) -> String {
    format!("arn:aws:wellarchitected:{region}::lens/{alias}")
}

impl Catalogue {
    /// A catalogue holding an example profile and review template (of the
    /// Framework lens) in `home`.
    pub fn with_examples(seed: u64, home: &Tenant) -> Catalogue {
        let mut catalogue = Catalogue { ids: Some(StdRng::seed_from_u64(seed)), ..Catalogue::default() };
        let arn = |kind: &str| {
            format!("arn:aws:wellarchitected:{}:{}:{kind}/{EXAMPLE_ID}", home.region, home.account)
        };
        let profile = Profile {
            arn: arn("profile"),
            owner: home.clone(),
            name: "Example profile".into(),
            description: "The profile the samples name".into(),
            questions: json!([]),
            created_at: 0.0,
        };
        catalogue.profiles.insert(profile.arn.clone(), profile);
        let lenses = vec!["wellarchitected".to_owned()];
        let template = Template {
            arn: arn("review-template"),
            owner: home.clone(),
            name: "Example template".into(),
            description: "The review template the samples name".into(),
            reviews: catalogue.new_reviews(home, &lenses).expect("the Framework lens is always there"),
            lenses,
            notes: None,
            updated_at: 0.0,
        };
        catalogue.templates.insert(template.arn.clone(), template);
        catalogue
    }

    fn new_arn(&mut self, tenant: &Tenant, kind: &str) -> String {
        let id: u128 = self.ids().random();
        format!("arn:aws:wellarchitected:{}:{}:{kind}/{id:032x}", tenant.region, tenant.account)
    }

    /// What a token made before: the same ARN for the same request, a 400
    /// for another request.
    fn replayed(
        &self,
        operation: &'static str,
        tenant: &Tenant,
        token: &str,
        asked: &str,
    ) -> Result<Option<String>, ApiError> {
        match self.tokens.get(&(operation, tenant.clone(), token.to_owned())) {
            Some((first, made)) if first == asked => Ok(Some(made.clone())),
            Some(_) => Err(ApiError::invalid_field(
                "ClientRequestToken",
                "was already used with different parameters".into(),
            )),
            None => Ok(None),
        }
    }

    fn remember(
        &mut self,
        operation: &'static str,
        tenant: &Tenant,
        token: String,
        asked: String,
        made: &str,
    ) {
        self.tokens.insert((operation, tenant.clone(), token), (asked, made.to_owned()));
    }

    /// Every lens the caller sees: the official ones, its own, and those
    /// shared with it in its Region.
    pub fn lenses(&self, tenant: &Tenant) -> Vec<LensView> {
        let official = official().map(|(alias, name)| LensView {
            arn: official_arn(&tenant.region, alias),
            alias: alias.to_owned(),
            name: name.to_owned(),
            description: format!("{name} (the emulator's own content)"),
            lens_type: "AWS_OFFICIAL",
            version: Some(OFFICIAL_VERSION.to_owned()),
            drafted: false,
            owner: None,
            updated_at: 0.0,
        });
        let custom = self.lenses.values().filter_map(|lens| {
            let own = lens.owner == *tenant;
            let shared = lens.owner.region == tenant.region && lens.shared_with.contains(&tenant.account);
            let content = lens.versions.last().map(|(_, content)| content).or(lens.draft.as_ref())?;
            (own || shared).then(|| LensView {
                arn: lens.arn.clone(),
                alias: lens.arn.clone(),
                name: content.name.clone(),
                description: content.description.clone(),
                lens_type: if own { "CUSTOM_SELF" } else { "CUSTOM_SHARED" },
                version: lens.versions.last().map(|(version, _)| version.clone()),
                drafted: lens.draft.is_some(),
                owner: Some(lens.owner.account.clone()),
                updated_at: lens.updated_at,
            })
        });
        official.chain(custom).collect()
    }

    /// The lens an alias or ARN names, as the caller sees it.
    pub fn lens(&self, tenant: &Tenant, alias: &str) -> Result<LensView, ApiError> {
        self.lenses(tenant)
            .into_iter()
            .find(|lens| lens.alias == alias || lens.arn == alias)
            .ok_or_else(|| ApiError::not_found("LENS", alias, format!("No lens {alias}")))
    }

    /// The content of a lens at a version (the latest published without one).
    pub fn content(
        &self,
        tenant: &Tenant,
        alias: &str,
        version: Option<&str>,
    ) -> Result<LensContent, ApiError> {
        let lens = self.lens(tenant, alias)?;
        let missing =
            |version: &str| ApiError::not_found("LENS", alias, format!("The lens has no version {version}"));
        if lens.lens_type == "AWS_OFFICIAL" {
            if let Some(version) = version.filter(|version| *version != OFFICIAL_VERSION) {
                return Err(missing(version));
            }
            return official_content(&lens.alias).ok_or_else(|| missing(OFFICIAL_VERSION));
        }
        let custom = &self.lenses[&lens.arn];
        let found = match version {
            Some(version) => custom.versions.iter().find(|(held, _)| held == version),
            None => custom.versions.last(),
        };
        found.map(|(_, content)| content.clone()).ok_or_else(|| missing(version.unwrap_or("published")))
    }

    /// A review of each lens, none answered, at the lens's latest published
    /// version; each lens must be one the caller may associate.
    pub fn new_reviews(
        &self,
        tenant: &Tenant,
        lenses: &[String],
    ) -> Result<BTreeMap<String, Review>, ApiError> {
        let mut reviews = BTreeMap::new();
        for alias in lenses {
            self.associable(tenant, alias)?;
            let lens = self.lens(tenant, alias)?;
            let content = self.content(tenant, alias, None)?;
            let version = lens.version.expect("associable lenses are published");
            let lens = LensRef { alias: lens.alias, arn: lens.arn, name: lens.name, version };
            reviews.insert(lens.alias.clone(), Review::new(lens, Arc::new(content), super::store::now()));
        }
        Ok(reviews)
    }

    /// Whether `review` is at its lens's latest version: `CURRENT` or
    /// `NOT_CURRENT`, as LensStatus says.
    pub fn status(&self, tenant: &Tenant, review: &Review) -> &'static str {
        let latest = self.lens(tenant, &review.lens.alias).ok().and_then(|lens| lens.version);
        if latest.as_deref() == Some(review.lens.version.as_str()) { "CURRENT" } else { "NOT_CURRENT" }
    }

    /// The caller's review template `arn`'s review of `lens`.
    pub fn template_review(&self, tenant: &Tenant, arn: &str, lens: &str) -> Result<&Review, ApiError> {
        let template = self.own_template(tenant, arn)?;
        template
            .reviews
            .values()
            .find(|review| review.is_of(lens))
            .ok_or_else(|| no_template_review(arn, lens))
    }

    /// The same, to change.
    pub fn template_review_mut(
        &mut self,
        tenant: &Tenant,
        arn: &str,
        lens: &str,
    ) -> Result<&mut Review, ApiError> {
        self.own_template(tenant, arn)?;
        let template = self.templates.get_mut(arn).expect("looked up above");
        template.updated_at = super::store::now();
        template
            .reviews
            .values_mut()
            .find(|review| review.is_of(lens))
            .ok_or_else(|| no_template_review(arn, lens))
    }

    /// The reviews of the templates `arns`, as a workload created from them
    /// starts with.
    pub fn template_reviews(&self, tenant: &Tenant, arns: &[String]) -> Result<Vec<Review>, ApiError> {
        let mut reviews = Vec::new();
        for arn in arns {
            reviews.extend(self.own_template(tenant, arn)?.reviews.values().cloned());
        }
        Ok(reviews)
    }

    fn own_template(&self, tenant: &Tenant, arn: &str) -> Result<&Template, ApiError> {
        let template = self.templates.get(arn).filter(|template| template.owner == *tenant);
        template
            .ok_or_else(|| ApiError::not_found("REVIEW_TEMPLATE", arn, format!("No review template {arn}")))
    }

    /// Whether a workload may be given this lens: it exists for the caller
    /// and has a published version.
    pub fn associable(&self, tenant: &Tenant, alias: &str) -> Result<(), ApiError> {
        let lens = self.lens(tenant, alias)?;
        if lens.version.is_none() {
            return Err(ApiError::invalid_field(
                "LensAliases",
                format!("the lens {alias} has no published version: publish it with CreateLensVersion"),
            ));
        }
        Ok(())
    }

    /// ImportLens: a new custom lens's draft, or a new draft of one of the
    /// caller's own (`alias`); its ARN.
    pub fn import_lens(
        &mut self,
        tenant: &Tenant,
        alias: Option<String>,
        json: &str,
        token: String,
        now: f64,
    ) -> Result<String, ApiError> {
        if !(2..=500_000).contains(&json.len()) {
            return Err(ApiError::invalid_field("JSONString", "must be 2 to 500000 characters".into()));
        }
        let asked = format!("{alias:?}\n{json}");
        if let Some(arn) = self.replayed("ImportLens", tenant, &token, &asked)? {
            return Ok(arn);
        }
        let content =
            LensContent::parse(json).map_err(|reason| ApiError::invalid_field("JSONString", reason))?;
        let arn = match alias {
            Some(alias) => {
                let lens = self.lenses.get_mut(&alias).filter(|lens| lens.owner == *tenant);
                let lens = lens.ok_or_else(|| {
                    ApiError::not_found("LENS", &alias, format!("No lens {alias} of yours"))
                })?;
                lens.draft = Some(content);
                lens.updated_at = now;
                alias
            }
            None => {
                let arn = self.new_arn(tenant, "lens");
                let lens = CustomLens {
                    arn: arn.clone(),
                    owner: tenant.clone(),
                    draft: Some(content),
                    versions: Vec::new(),
                    shared_with: Vec::new(),
                    updated_at: now,
                };
                self.lenses.insert(arn.clone(), lens);
                arn
            }
        };
        self.remember("ImportLens", tenant, token, asked, &arn);
        Ok(arn)
    }

    /// CreateLensVersion: publishes the caller's lens's draft as `version`.
    pub fn publish(
        &mut self,
        tenant: &Tenant,
        alias: &str,
        version: String,
        token: String,
    ) -> Result<String, ApiError> {
        if version.is_empty() || version.chars().count() > 32 {
            return Err(ApiError::invalid_field("LensVersion", "must be 1 to 32 characters".into()));
        }
        let asked = format!("{alias}\n{version}");
        if self.replayed("CreateLensVersion", tenant, &token, &asked)?.is_some() {
            return Ok(alias.to_owned());
        }
        let lens = self.lenses.get_mut(alias).filter(|lens| lens.owner == *tenant);
        let lens =
            lens.ok_or_else(|| ApiError::not_found("LENS", alias, format!("No lens {alias} of yours")))?;
        if lens.versions.iter().any(|(held, _)| *held == version) {
            return Err(ApiError::Conflict {
                message: format!("The lens already has a version {version}"),
                resource_id: alias.to_owned(),
            });
        }
        let draft = lens.draft.take().ok_or_else(|| {
            ApiError::invalid_field("LensAlias", "the lens has no draft to publish: import one first".into())
        })?;
        lens.versions.push((version, draft));
        self.remember("CreateLensVersion", tenant, token, asked, alias);
        Ok(alias.to_owned())
    }

    /// CreateLensShare: the caller's custom lens, shared with an account.
    pub fn share_lens(&mut self, tenant: &Tenant, alias: &str, with: String) -> Result<String, ApiError> {
        let lens = self.lenses.get_mut(alias).filter(|lens| lens.owner == *tenant).ok_or_else(|| {
            let official = official().any(|(known, _)| known == alias);
            match official {
                true => ApiError::invalid_field("LensAlias", "an AWS official lens cannot be shared".into()),
                false => ApiError::not_found("LENS", alias, format!("No lens {alias} of yours")),
            }
        })?;
        if !lens.shared_with.contains(&with) {
            lens.shared_with.push(with);
        }
        let id: u128 = self.ids().random();
        Ok(format!("{id:032x}"))
    }

    /// CreateProfile: its ARN.
    pub fn create_profile(
        &mut self,
        tenant: &Tenant,
        (name, description): (String, String),
        questions: Value,
        token: String,
        now: f64,
    ) -> Result<String, ApiError> {
        let asked = format!("{name}\n{description}\n{questions}");
        if let Some(arn) = self.replayed("CreateProfile", tenant, &token, &asked)? {
            return Ok(arn);
        }
        if self.profiles.values().any(|profile| profile.owner == *tenant && profile.name == name) {
            return Err(ApiError::Conflict {
                message: format!("A profile named {name:?} exists"),
                resource_id: name,
            });
        }
        let arn = self.new_arn(tenant, "profile");
        let profile = Profile {
            arn: arn.clone(),
            owner: tenant.clone(),
            name,
            description,
            questions,
            created_at: now,
        };
        self.profiles.insert(arn.clone(), profile);
        self.remember("CreateProfile", tenant, token, asked, &arn);
        Ok(arn)
    }

    /// The caller's profile `arn`, as GetProfile's `Profile`.
    pub fn profile(&self, tenant: &Tenant, arn: &str) -> Result<Value, ApiError> {
        let profile = self.profiles.get(arn).filter(|profile| profile.owner == *tenant);
        let profile =
            profile.ok_or_else(|| ApiError::not_found("PROFILE", arn, format!("No profile {arn}")))?;
        let mut shown = profile_summary(profile);
        shown["ProfileQuestions"] = profile.questions.clone();
        Ok(shown)
    }

    /// The caller's profiles, as ListProfiles summarises them.
    pub fn profiles(&self, tenant: &Tenant, prefix: &str) -> Vec<Value> {
        let own = self
            .profiles
            .values()
            .filter(|profile| profile.owner == *tenant && profile.name.starts_with(prefix));
        own.map(profile_summary).collect()
    }

    /// CreateReviewTemplate: its ARN; every lens must be one the caller may
    /// associate.
    pub fn create_template(
        &mut self,
        tenant: &Tenant,
        (name, description, notes): (String, String, Option<String>),
        lenses: Vec<String>,
        token: String,
        now: f64,
    ) -> Result<String, ApiError> {
        let asked = format!("{name}\n{description}\n{notes:?}\n{lenses:?}");
        if let Some(arn) = self.replayed("CreateReviewTemplate", tenant, &token, &asked)? {
            return Ok(arn);
        }
        if lenses.is_empty() {
            return Err(ApiError::invalid_field("Lenses", "give at least one lens".into()));
        }
        let reviews = self.new_reviews(tenant, &lenses)?;
        let arn = self.new_arn(tenant, "review-template");
        let template = Template {
            arn: arn.clone(),
            owner: tenant.clone(),
            name,
            description,
            lenses,
            notes,
            updated_at: now,
            reviews,
        };
        self.templates.insert(arn.clone(), template);
        self.remember("CreateReviewTemplate", tenant, token, asked, &arn);
        Ok(arn)
    }

    /// The caller's review template `arn`, as GetReviewTemplate's `ReviewTemplate`.
    pub fn template(&self, tenant: &Tenant, arn: &str) -> Result<Value, ApiError> {
        let template = self.own_template(tenant, arn)?;
        let mut shown = template_summary(template);
        if let Some(notes) = &template.notes {
            shown["Notes"] = notes.clone().into();
        }
        Ok(shown)
    }

    /// The caller's review templates, as ListReviewTemplates summarises them.
    pub fn templates(&self, tenant: &Tenant) -> Vec<Value> {
        self.templates.values().filter(|template| template.owner == *tenant).map(template_summary).collect()
    }

    /// Whether everything a workload names exists for the caller: its
    /// lenses (published), profiles and review templates.
    pub fn check_references(
        &self,
        tenant: &Tenant,
        (lenses, profiles, templates): (&[String], &[String], &[String]),
    ) -> Result<(), ApiError> {
        for lens in lenses {
            self.associable(tenant, lens)?;
        }
        for profile in profiles {
            self.profile(tenant, profile)?;
        }
        for template in templates {
            self.template(tenant, template)?;
        }
        Ok(())
    }
}

fn no_template_review(arn: &str, lens: &str) -> ApiError {
    ApiError::not_found("LENS", lens, format!("The review template {arn} has no review of the lens {lens}"))
}

fn profile_summary(profile: &Profile) -> Value {
    json!({
        "ProfileArn": profile.arn,
        "ProfileVersion": "1",
        "ProfileName": profile.name,
        "ProfileDescription": profile.description,
        "Owner": profile.owner.account,
        "CreatedAt": profile.created_at,
        "UpdatedAt": profile.created_at,
    })
}

fn template_summary(template: &Template) -> Value {
    json!({
        "TemplateArn": template.arn,
        "TemplateName": template.name,
        "Description": template.description,
        "Lenses": template.lenses,
        "Owner": template.owner.account,
        "UpdatedAt": template.updated_at,
        "UpdateStatus": "CURRENT",
    })
}
