select value as data_version from meta where key = 'data_version'
