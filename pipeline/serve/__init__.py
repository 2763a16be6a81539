"""``bitext serve``: the translator workbench, a bilingual concordance in the browser."""
