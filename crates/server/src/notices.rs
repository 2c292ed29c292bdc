//! Notifications worded for their reader: the domain stores what happened as a message
//! (a key and its values); this module turns it into the reader's language
//! (`crates/server/locales/*/notifications.ftl`) and builds the link from the entity the
//! notification is about, so domain crates neither write page words nor page URLs.

use crate::i18n::Lang;
use crate::locale;
use techex_listings::notifications::NotificationView;

/// The page a notification about an entity opens.
pub fn link_of(entity_type: &str, id: uuid::Uuid) -> Option<String> {
    let base = match entity_type {
        "achievement" => "/achievements",
        "demand" => "/demands",
        "deal" => "/deals",
        "auction" => "/auctions",
        "open_licence" => "/open-licences",
        "contract" => "/contracts",
        // Only its members are told about an organization: they manage it there.
        "organization" => return Some("/my/organization".to_string()),
        _ => return None,
    };
    Some(format!("{base}/{id}"))
}

/// Words a notification in `lang`: its title from its message, its link from its entity.
/// A notification stored before messages existed keeps its title, of which the half in
/// the reader's language is shown (`中文 / English`).
pub fn worded(mut view: NotificationView, lang: Lang) -> NotificationView {
    match view.message.as_ref().and_then(|message| locale::json_message(message, lang)) {
        Some(title) => view.title = title,
        None => view.title = legacy_half(&view.title, lang).to_string(),
    }
    if let (None, Some(entity_type), Some(id)) = (&view.link, &view.entity_type, view.entity_id) {
        view.link = link_of(entity_type, id);
    }
    view
}

/// Every notification of a list worded in `lang`.
pub fn all_worded(views: Vec<NotificationView>, lang: Lang) -> Vec<NotificationView> {
    views.into_iter().map(|view| worded(view, lang)).collect()
}

/// The half of a bilingual stored title in `lang`; the whole title when it is not one.
/// The half of a bilingual text (`中文 / English`) in `lang`; any other text as it is.
pub fn legacy_half(title: &str, lang: Lang) -> &str {
    match title.split_once(" / ") {
        Some((zh, en)) if zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) => match lang {
            Lang::Zh => zh.trim(),
            Lang::En => en.trim(),
        },
        _ => title,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use techex_core::msg;

    fn view(title: &str, message: Option<serde_json::Value>) -> NotificationView {
        NotificationView {
            id: uuid::Uuid::nil(),
            kind: "deal_opened".into(),
            title: title.into(),
            body: None,
            message,
            link: None,
            entity_type: Some("deal".into()),
            entity_id: Some(uuid::Uuid::nil()),
            created_at: chrono::Utc::now(),
            read_at: None,
        }
    }

    #[test]
    fn a_message_is_worded_in_the_readers_language_with_its_values() {
        let message = msg::NOTICE_SAVED_SEARCH_MATCH
            .with("search", "电池")
            .with("title_zh", "一种锂电池")
            .with("title_en", "A lithium battery");
        let json = serde_json::to_value(&message).expect("a message serializes");
        let en = worded(view("notice-saved-search-match", Some(json.clone())), Lang::En);
        assert!(en.title.contains("A lithium battery") && en.title.contains("电池"), "{}", en.title);
        assert!(!en.title.contains("一种锂电池"), "{}", en.title);
        let zh = worded(view("notice-saved-search-match", Some(json)), Lang::Zh);
        assert!(zh.title.contains("一种锂电池"), "{}", zh.title);
        assert!(!zh.title.contains("lithium"), "{}", zh.title);
        assert_eq!(en.link.as_deref(), Some("/deals/00000000-0000-0000-0000-000000000000"));
    }

    #[test]
    fn a_stored_bilingual_title_shows_the_readers_half() {
        assert_eq!(worded(view("新的洽谈 / A new deal was opened", None), Lang::En).title, "A new deal was opened");
        assert_eq!(worded(view("新的洽谈 / A new deal was opened", None), Lang::Zh).title, "新的洽谈");
        assert_eq!(worded(view("A / B", None), Lang::Zh).title, "A / B");
    }
}
