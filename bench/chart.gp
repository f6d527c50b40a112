# bench/chart.gp: the chart of bench/compare, one group of bars per
# measurement, every server's value relative to vsftpd's (inverted where
# less is better: memory, times, latencies), so higher is always better.
#
#   gnuplot -e "datafile='chart.dat'; outfile='chart.png'; nservers=4" \
#       bench/chart.gp

set terminal pngcairo size 1400,720 font "sans,11" noenhanced
set output outfile
set title "cellftpd and its peers on one machine (relative to vsftpd; higher is better)"
set datafile missing "?"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 10
set format y "%gx"
set yrange [0.01:*]
set grid ytics
set xtics rotate by -25 scale 0
set key top left
set ylabel "relative to vsftpd"
plot for [i=2:nservers+1] datafile using i:xtic(1) title columnheader(i)
