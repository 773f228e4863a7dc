"""Rows of a published national table for tests (not a test module): its header and two regions' rows as the 2023
letter gives them."""

HEADER = "no,kab_kota,ket,baseline,output,outcome,impact,quick_wins,kolaborasi,nilai_final,improvement\n"
MALANG = "1,Kab. Malang,KPPN&IKN,3.6,2.29,3.41,2.81,3.13,2.53,2.94,0.44\n"
PADANG = "2,Kota Padang Panjang,REGULER,3.2,2.1,2.5,2.4,2.0,,2.41,-0.39\n"
