package logger

func benchEncoder(m *masker) valueEncoder { return newEncoder(m, DefaultMaxEventBytes) }
