insert into synonyms (item_kind, item_code, synonym)
values ($item_kind, $item_code, $synonym)
