"""faircollect: a lawful collections system (贷后催收管理系统) for Chinese lenders."""

__version__ = "0.1.0"
