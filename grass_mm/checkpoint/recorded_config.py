# Copyright (c) grass_mm contributors. All rights reserved.
"""The model config a checkpoint records, read as data, never run.

mmengine's Runner stores its config in every checkpoint it writes, as the
text of a Python config file (``meta['cfg']``, the config's
``pretty_text``). ``mmengine.config.Config.fromstring`` would execute that
text, and a checkpoint from elsewhere is not trusted to run code (the same
reason :mod:`.safe_load` unpickles weights only). So only the ``model =
...`` statement is read, and only as data: numbers, strings, ``True``,
``False``, ``None``, lists, tuples, dict displays and ``dict(...)`` calls,
which is all ``pretty_text`` writes there. Used to check what a
`GraSS <https://arxiv.org/abs/2306.15868>`_ backbone was built with before
exporting it (:mod:`.torchvision_resnet`).
"""
import ast
from typing import Any, Dict, Mapping, Optional

from mmengine.runner import CheckpointLoader

__all__ = ['load_recorded_model_config', 'read_model_config']


def _value(node: ast.AST) -> Any:
    """The value of a literal expression; anything else is refused."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op,
                                                    (ast.USub, ast.UAdd)):
        operand = _value(node.operand)
        if isinstance(operand, (int, float)):
            return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.List):
        return [_value(item) for item in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_value(item) for item in node.elts)
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {
            _value(key): _value(value)
            for key, value in zip(node.keys, node.values)
        }
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == 'dict' and len(node.args) <= 1
            and all(keyword.arg for keyword in node.keywords)):
        result = dict(_value(node.args[0])) if node.args else {}
        result.update(
            (keyword.arg, _value(keyword.value)) for keyword in node.keywords)
        return result
    raise ValueError(f'line {getattr(node, "lineno", "?")}: '
                     f'{ast.dump(node)[:60]} is not plain data')


def read_model_config(text: str) -> Optional[Dict[str, Any]]:
    """The ``model`` of a config file's text, without running the text.

    Args:
        text (str): A Python config file, e.g. a checkpoint's
            ``meta['cfg']``.

    Returns:
        dict, optional: The value of the last top-level ``model = ...``
        statement, or None when the text has none.

    Raises:
        ValueError: When the text is not Python, or its ``model`` is more
            than plain data (a name, an attribute, another call).
    """
    try:
        module = ast.parse(text)
    except SyntaxError as error:
        raise ValueError(f'the config is not Python: {error}') from None
    model = None
    for statement in module.body:
        if (isinstance(statement, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == 'model'
                for target in statement.targets)):
            try:
                model = _value(statement.value)
            except ValueError as error:
                raise ValueError(f'the config\'s `model` is more than '
                                 f'plain data: {error}') from None
    if model is not None and not isinstance(model, Mapping):
        raise ValueError('the config\'s `model` is a '
                         f'{type(model).__name__}, not a dict')
    return model


def load_recorded_model_config(checkpoint: str) -> Optional[Dict[str, Any]]:
    """The ``model`` of the config an mmengine checkpoint records.

    Args:
        checkpoint (str): Path or URL of the checkpoint, anything mmengine's
            ``CheckpointLoader`` reads (weights only once ``grass_mm`` is
            imported).

    Returns:
        dict, optional: The recorded ``model``, or None when the checkpoint
        records no config text (a bare state dict, a backbone written by
        ``tools/model_converters/grass2mmseg.py``).

    Raises:
        ValueError: As :func:`read_model_config`; the message names the
            file.
    """
    loaded = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    meta = loaded.get('meta') if isinstance(loaded, Mapping) else None
    text = meta.get('cfg') if isinstance(meta, Mapping) else None
    if not isinstance(text, str):
        return None
    try:
        return read_model_config(text)
    except ValueError as error:
        raise ValueError(
            f'Checkpoint {checkpoint}: meta[\'cfg\']: {error}') from None
