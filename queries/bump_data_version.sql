update meta set value = value + 1 where key = 'data_version'
