"""The live preview: one region's report served while its workbook is edited (``smartcity-eval preview``)."""
