select item_kind, item_code, synonym,
from synonyms
order by item_kind, item_code
