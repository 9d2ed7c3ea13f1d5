"""postgresql search

What ``SEARCH_BACKEND=postgresql`` searches: one row per object in ``search.documents`` (in
a schema of its own, apart from the catalogue's tables), with tsvector columns the database
computes from the texts through French and English text search configurations that fold
accents (``unaccent``), and GIN indexes over them and over the facet values.
``search.state`` holds how far down the change log the table has read; ``search.words`` the
words of every indexed text (lower case, as written, and folded), which fuzzy terms and
spelling suggestions are drawn from (``fuzzystrmatch``'s edit distance).

PostgreSQL only: on SQLite this migration does nothing (the Whoosh backend needs no table).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TEXTS = ("title", "description", "maker", "place", "material", "other")
FACETS = ("object_type", "material_ids", "collection", "maker_ids", "place_ids", "decades")

UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS fuzzystrmatch",
    "CREATE SCHEMA IF NOT EXISTS search",
    # Accents folded before stemming, in both languages; "simple" for prefixes.
    "CREATE TEXT SEARCH CONFIGURATION search.fr (COPY = pg_catalog.french)",
    "ALTER TEXT SEARCH CONFIGURATION search.fr ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, french_stem",
    "CREATE TEXT SEARCH CONFIGURATION search.en (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION search.en ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, english_stem",
    "CREATE TEXT SEARCH CONFIGURATION search.simple (COPY = pg_catalog.simple)",
    "ALTER TEXT SEARCH CONFIGURATION search.simple ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, simple",
    # A text's lexemes in both languages (French stems, then English ones).
    """
    CREATE FUNCTION search.bilingual(value text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT to_tsvector('search.fr'::regconfig, coalesce(value, ''))
            || to_tsvector('search.en'::regconfig, coalesce(value, ''))
    $$
    """,
    """
    CREATE TABLE search.documents (
        object_id uuid PRIMARY KEY REFERENCES public.objects (id) ON DELETE CASCADE,
        status text NOT NULL,
        number text NOT NULL,
        number_key text NOT NULL,
        title text NOT NULL DEFAULT '',
        description text NOT NULL DEFAULT '',
        maker text NOT NULL DEFAULT '',
        place text NOT NULL DEFAULT '',
        material text NOT NULL DEFAULT '',
        other text NOT NULL DEFAULT '',
        object_type text[] NOT NULL DEFAULT '{}',
        material_ids text[] NOT NULL DEFAULT '{}',
        collection text[] NOT NULL DEFAULT '{}',
        maker_ids text[] NOT NULL DEFAULT '{}',
        place_ids text[] NOT NULL DEFAULT '{}',
        decades text[] NOT NULL DEFAULT '{}',
        has_media boolean NOT NULL DEFAULT false,
        has_any_media boolean NOT NULL DEFAULT false,
        date_from integer,
        date_to integer,
        sort_date_asc integer NOT NULL,
        sort_date_desc integer NOT NULL,
        updated text NOT NULL DEFAULT '',
        digest text NOT NULL DEFAULT '',
        tsv_title tsvector GENERATED ALWAYS AS (search.bilingual(title)) STORED,
        tsv_description tsvector GENERATED ALWAYS AS (search.bilingual(description)) STORED,
        tsv_maker tsvector GENERATED ALWAYS AS (search.bilingual(maker)) STORED,
        tsv_place tsvector GENERATED ALWAYS AS (search.bilingual(place)) STORED,
        tsv_material tsvector GENERATED ALWAYS AS (search.bilingual(material)) STORED,
        tsv_all tsvector GENERATED ALWAYS AS (
            setweight(search.bilingual(title), 'A')
            || setweight(search.bilingual(maker), 'B')
            || setweight(search.bilingual(place || ' ' || material), 'C')
            || setweight(search.bilingual(description || ' ' || other), 'D')
        ) STORED
    )
    """,
    "CREATE TABLE search.state (id integer PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL)",
    "INSERT INTO search.state (id, seq) VALUES (1, 0)",
    "CREATE TABLE search.words (word text PRIMARY KEY, folded text NOT NULL)",
    "CREATE INDEX words_folded ON search.words (folded text_pattern_ops)",
    "CREATE INDEX documents_tsv_all ON search.documents USING gin (tsv_all)",
    *(
        f"CREATE INDEX documents_tsv_{name} ON search.documents USING gin (tsv_{name})"
        for name in ("title", "description", "maker", "place", "material")
    ),
    *(f"CREATE INDEX documents_{name} ON search.documents USING gin ({name})" for name in FACETS),
    "CREATE INDEX documents_status ON search.documents (status)",
    "CREATE INDEX documents_number_key ON search.documents (number_key text_pattern_ops)",
]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP SCHEMA IF EXISTS search CASCADE")
