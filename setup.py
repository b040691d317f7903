"""Installation script of grass_mm."""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name: str) -> list:
    """Read a requirements file under ``requirements/``, skipping comments."""
    with open(osp.join(HERE, 'requirements', name)) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


def read_version_info() -> dict:
    """Execute ``grass_mm/version.py`` without importing the package."""
    namespace = {}
    with open(osp.join(HERE, 'grass_mm', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace


def requirement(name: str, low: str, high: str = None) -> str:
    """``name>=low,<high`` (``name>=low`` without a maximum)."""
    return f'{name}>={low}' + (f',<{high}' if high else '')


def stack_extras(info: dict) -> dict:
    """One extra per OpenMMLab stack: its four packages and what it adds."""
    return {
        stack: [requirement(*entry)
                for entry in packages.values()] + info['STACK_EXTRAS'][stack]
        for stack, packages in info['STACKS'].items()
    }


VERSION_INFO = read_version_info()
TORCH_REQUIRES = [
    requirement(name, *bounds)
    for name, bounds in VERSION_INFO['TORCH_VERSIONS'].items()
]

setup(
    name='grass_mm',
    version=VERSION_INFO['__version__'],
    description='GraSS: contrastive learning with gradient guided sampling '
    'for remote-sensing segmentation, as an OpenMMLab plugin',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    url='https://arxiv.org/abs/2306.15868',
    license='Apache License 2.0',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    python_requires='>=3.10',
    install_requires=TORCH_REQUIRES + read_requirements('runtime.txt'),
    # The OpenMMLab packages are extras, so that `pip install -e .` keeps
    # whichever stack an environment has: `pip install -e ".[onedl]"`.
    extras_require=dict(
        **stack_extras(VERSION_INFO),
        tests=read_requirements('tests.txt'),
        optional=read_requirements('optional.txt'),
    ),
    classifiers=[
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
        'Topic :: Scientific/Engineering :: Image Recognition',
    ],
)
