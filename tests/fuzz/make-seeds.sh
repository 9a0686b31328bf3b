#!/bin/sh
# Regenerates the seed corpus in corpus/ (README.md): the binary seeds from the fuzz
# targets' own --make-seeds mode, the styles.csv ones from the shared subset and by hand.
# Usage: tests/fuzz/make-seeds.sh [build dir, default build/fuzz] [shared dir, default ../shared]
# The regression-* seeds (inputs that found bugs) are kept, never regenerated.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/fuzz}
shared=${2:-$root/../shared}
corpus=$here/corpus

export QT_QPA_PLATFORM=offscreen
for target in fuzz_cache_reader fuzz_drop_reader; do
    find "$corpus/$target" -type f ! -name 'regression-*' -delete 2>/dev/null || true
    "$build/bin/$target" --make-seeds "$corpus/$target"
done

csv=$corpus/fuzz_styles_csv
mkdir -p "$csv"
find "$csv" -type f ! -name 'regression-*' -delete
styles=$shared/data/fashion-product-images-small-subset/styles.csv
head -n 21 "$styles" > "$csv/kaggle-head.csv"
{
    head -n 1 "$styles"
    # Kaggle leaves commas in productDisplayName unquoted; quoted fields with "" and newlines.
    printf '15970,Men,Apparel,Topwear,Shirts,Navy Blue,Fall,2011,Casual,Turtle Check Men Navy Blue Shirt, Slim Fit, Cotton\n'
    printf '39386,Men,Apparel,Bottomwear,Jeans,Blue,Summer,2012,Casual,"Peter England Men Party Blue Jeans, ""Regular"""\n'
    printf '59263,Women,Accessories,Watches,Watches,Silver,Winter,2016,Casual,"Titan Women\nSilver Watch"\n'
} > "$csv/quotes-and-commas.csv"
printf 'id,gender,articleType\n1,Men\n2\n,Women,Shirts\n3,Women,Tops,extra,fields\n' > "$csv/missing-columns.csv"
printf 'id,gender,id,articleType\n7,Men,8,Shirts\n7,Women,9,Tops\n 7 ,Boys,10,Jeans\n8,Girls,7,Dresses\n' > "$csv/duplicate-ids.csv"
printf 'id,gender,articleType\r\n10,Men,Shirts\r\n\r\n11,Women,"Tops\r\nand more"\r\n12,Men,Jeans' > "$csv/crlf.csv"
printf '\357\273\277id,gender,articleType\n20,Men,Shirts\n21,Women,Tops\n' > "$csv/bom.csv"
printf 'id,gender,articleType\n30,Men,"Shirts\n31,Women,Tops\n' > "$csv/unterminated-quote.csv"
printf 'name,gender\na,Men\n' > "$csv/no-id-column.csv"
printf '"id","a""b",c"d\n"40"x,"","\n41,\303\251t\303\251,\377\376\n' > "$csv/odd-quotes-utf8.csv"
